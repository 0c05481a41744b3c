using System.Net.Http.Headers;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Moves JSON-RPC request bodies to a node and answers. Implementations never throw to the caller for
/// network or protocol failures: they fill every result slot with a value or an <see cref="RpcError"/>.
/// Thread-safe: any thread may call concurrently.
/// </summary>
public interface IJsonRpcTransport : IAsyncDisposable
{
    /// <summary>
    /// Sends <paramref name="body"/> (one request object, or an array when <paramref name="isBatch"/>) and fills
    /// <paramref name="results"/>[i] with the answer for <paramref name="ids"/>[i]. Cancellation of
    /// <paramref name="cancellationToken"/> gives <see cref="RpcErrorKind.Cancelled"/> results. Allocates.
    /// </summary>
    Task ExchangeAsync(ReadOnlyMemory<byte> body, long[] ids, bool isBatch, RpcResult<JsonElement>[] results, CancellationToken cancellationToken);
}

/// <summary>Adds headers computed over the exact request body bytes (the Flashbots signature header).</summary>
public interface IJsonRpcRequestSigner
{
    /// <summary>Called on the sending thread for every HTTP request, just before it is sent.</summary>
    void AddHeaders(HttpRequestHeaders headers, ReadOnlySpan<byte> body);
}
