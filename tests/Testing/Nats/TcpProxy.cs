using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LowLatency.Testing.Nats;

/// <summary>
/// A loopback TCP forwarder between one node and its NATS server: <see cref="Cut"/> drops every connection and refuses
/// new ones (a network partition of that node only), <see cref="Heal"/> lets it reconnect.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int> _targetPort;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _cut;

    public TcpProxy(Func<int> targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = Task.Run(AcceptLoopAsync);
    }

    public string Url => "nats://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

    public void Cut()
    {
        lock (_open)
        {
            _cut = true;
            foreach (var c in _open)
            {
                c.Dispose();
            }

            _open.Clear();
        }
    }

    public void Heal() => _cut = false;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_cut)
            {
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort());
        }
        catch (SocketException)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }

        lock (_open)
        {
            // A connection accepted just before a cut must not outlive it.
            if (_cut)
            {
                client.Dispose();
                upstream.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(upstream);
        }

        var a = client.GetStream().CopyToAsync(upstream.GetStream());
        var b = upstream.GetStream().CopyToAsync(client.GetStream());
        try
        {
            await Task.WhenAny(a, b);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }
}
