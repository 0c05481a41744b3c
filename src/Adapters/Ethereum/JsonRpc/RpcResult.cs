using System.Diagnostics.CodeAnalysis;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// Either a value or an <see cref="RpcError"/>. A <c>default</c> instance is a failure, never a silent
/// zero value. Does not allocate beyond the error object.
/// </summary>
public readonly struct RpcResult<T>
{
    private static readonly RpcError s_uninitialised = RpcError.Invalid("uninitialised RpcResult");

    private readonly T? _value;
    private readonly RpcError? _error;
    private readonly bool _ok;

    private RpcResult(T value)
    {
        _value = value;
        _error = null;
        _ok = true;
    }

    private RpcResult(RpcError error)
    {
        _value = default;
        _error = error;
        _ok = false;
    }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => _ok;

    /// <summary>The error, or null when <see cref="IsOk"/>.</summary>
    public RpcError? Error => _ok ? null : _error ?? s_uninitialised;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> when this is an error (a caller bug).</summary>
    public T Value => _ok ? _value! : throw new InvalidOperationException("RpcResult holds an error: " + Error);

    public static RpcResult<T> Ok(T value) => new(value);

    public static RpcResult<T> Fail(RpcError error) => new(error ?? s_uninitialised);

    public static implicit operator RpcResult<T>(RpcError error) => Fail(error);

    public static implicit operator RpcResult<T>(T value) => Ok(value);

    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        value = _value!;
        return _ok;
    }

    /// <summary>Converts the value with a parser that can itself fail; errors pass through.</summary>
    public RpcResult<TOut> Then<TOut>(Func<T, RpcResult<TOut>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return _ok ? next(_value!) : RpcResult<TOut>.Fail(Error!);
    }

    public override string ToString() => _ok ? "Ok(" + _value + ")" : "Error(" + Error + ")";
}
