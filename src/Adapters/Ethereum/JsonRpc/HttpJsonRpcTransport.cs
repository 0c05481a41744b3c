using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LowLatency.Adapters.Ethereum.JsonRpc;

/// <summary>
/// JSON-RPC over HTTP POST. One pooled <see cref="SocketsHttpHandler"/> keeps connections alive and reuses
/// them; responses are read through a <see cref="PipeReader"/> with a size cap. Thread-safe; allocates per call.
/// </summary>
public sealed class HttpJsonRpcTransport : IJsonRpcTransport
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly JsonRpcOptions _options;
    private readonly IJsonRpcRequestSigner? _signer;

    /// <param name="endpoint">The node's HTTP URL.</param>
    /// <param name="options">Limits; the per-attempt timeout is applied by <see cref="JsonRpcClient"/>.</param>
    /// <param name="signer">Optional header signer (Flashbots relays).</param>
    /// <param name="handler">Optional handler (tests); by default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public HttpJsonRpcTransport(Uri endpoint, JsonRpcOptions? options = null, IJsonRpcRequestSigner? signer = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options ?? new JsonRpcOptions();
        _signer = signer;
        handler ??= new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = _options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.All,
            MaxConnectionsPerServer = 16,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            // Timeouts come from the caller's token (per attempt), not from HttpClient.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
        };
    }

    /// <inheritdoc />
    public async Task ExchangeAsync(ReadOnlyMemory<byte> body, long[] ids, bool isBatch, RpcResult<JsonElement>[] results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(results);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.ContentType = s_json;
            _signer?.AddHeaders(request.Headers, body.Span);

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await ReadAndCorrelateAsync(stream, (int)response.StatusCode, ids, isBatch, results, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Fill(results, ids.Length, RpcError.CancelledError());
        }
        catch (HttpRequestException ex)
        {
            Fill(results, ids.Length, RpcError.TransportError(ex.Message, ex.StatusCode is { } s ? (int)s : null));
        }
        catch (IOException ex)
        {
            Fill(results, ids.Length, RpcError.TransportError(ex.Message));
        }
        catch (OperationCanceledException ex)
        {
            // HttpClient-internal cancellation (connection reset during send) without our token.
            Fill(results, ids.Length, RpcError.TransportError(ex.Message));
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReadAndCorrelateAsync(Stream stream, int status, long[] ids, bool isBatch, RpcResult<JsonElement>[] results, CancellationToken ct)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        try
        {
            ReadResult read;
            while (true)
            {
                read = await reader.ReadAsync(ct).ConfigureAwait(false);
                if (read.Buffer.Length > _options.MaxResponseBytes)
                {
                    Fill(results, ids.Length, RpcError.Malformed($"response larger than {_options.MaxResponseBytes} bytes"));
                    return;
                }

                if (read.IsCompleted)
                {
                    break;
                }

                // Keep everything until the body is complete.
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }

            var buffer = read.Buffer;
            var retryable = status is 429 or 502 or 503 or 504;
            if (buffer.Length == 0)
            {
                Fill(results, ids.Length, status is >= 200 and < 300
                    ? RpcError.Malformed("empty response body")
                    : RpcError.TransportError("empty response body", status));
                return;
            }

            if (!JsonRpcResponse.TryParseDocument(buffer, out var document, out var parseError))
            {
                // A non-JSON body with an error status is a transport failure (proxy page, rate limit).
                Fill(results, ids.Length, status is >= 200 and < 300
                    ? RpcError.Malformed(parseError)
                    : RpcError.TransportError("HTTP error with a non-JSON body", status));
                return;
            }

            using (document)
            {
                if (retryable)
                {
                    Fill(results, ids.Length, RpcError.TransportError("node is rate-limiting or unavailable", status));
                    return;
                }

                JsonRpcResponse.Correlate(document.RootElement, ids, isBatch, results);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static void Fill(RpcResult<JsonElement>[] results, int count, RpcError error)
    {
        for (var i = 0; i < count; i++)
        {
            results[i] = error;
        }
    }
}
