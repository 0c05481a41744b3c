using System.Globalization;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>What went wrong with a JSON-RPC call.</summary>
public enum RpcErrorKind
{
    /// <summary>The node answered with a JSON-RPC error object (see <see cref="RpcError.Code"/>).</summary>
    Node,

    /// <summary>The request did not reach the node or the connection failed (retryable).</summary>
    Transport,

    /// <summary>No answer within the time limit (retryable).</summary>
    Timeout,

    /// <summary>The node answered something that is not a valid JSON-RPC response for our request.</summary>
    MalformedResponse,

    /// <summary>The caller cancelled.</summary>
    Cancelled,

    /// <summary>The request cannot be made on this transport or with these arguments.</summary>
    InvalidRequest,
}

/// <summary>
/// An error as a value: either the node's JSON-RPC error (code, message, data) or a transport,
/// timeout or malformed-response failure. Immutable; safe to share across threads.
/// </summary>
public sealed class RpcError
{
    public RpcError(RpcErrorKind kind, long code, string message, string? data = null, int? httpStatus = null)
    {
        Kind = kind;
        Code = code;
        Message = message;
        Data = data;
        HttpStatus = httpStatus;
    }

    public RpcErrorKind Kind { get; }

    /// <summary>The node's error code for <see cref="RpcErrorKind.Node"/>; 0 otherwise.</summary>
    public long Code { get; }

    public string Message { get; }

    /// <summary>The error object's "data" member as raw JSON text (revert data, details), if any.</summary>
    public string? Data { get; }

    /// <summary>The HTTP status when the failure came with one.</summary>
    public int? HttpStatus { get; }

    /// <summary>True for failures where sending the same request again may succeed.</summary>
    public bool IsTransient => Kind is RpcErrorKind.Transport or RpcErrorKind.Timeout;

    public static RpcError NodeError(long code, string message, string? data = null) =>
        new(RpcErrorKind.Node, code, message, data);

    public static RpcError TransportError(string message, int? httpStatus = null) =>
        new(RpcErrorKind.Transport, 0, message, null, httpStatus);

    public static RpcError TimeoutError(string message) => new(RpcErrorKind.Timeout, 0, message);

    public static RpcError Malformed(string message) => new(RpcErrorKind.MalformedResponse, 0, message);

    public static RpcError CancelledError() => new(RpcErrorKind.Cancelled, 0, "cancelled by the caller");

    public static RpcError Invalid(string message) => new(RpcErrorKind.InvalidRequest, 0, message);

    /// <summary>Case-insensitive search in the node's message (nodes word the same error differently).</summary>
    public bool MessageContains(string text) => Message.Contains(text, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Kind == RpcErrorKind.Node
        ? string.Create(CultureInfo.InvariantCulture, $"node error {Code}: {Message}{(Data is null ? string.Empty : " data=" + Data)}")
        : string.Create(CultureInfo.InvariantCulture, $"{Kind}: {Message}{(HttpStatus is { } s ? " (HTTP " + s.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty)}");
}
