using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace LowLatency.Host.Dashboard;

/// <summary>
/// Where the dashboard listens, validated: plain <c>http://HOST:PORT</c>, loopback unless <see cref="AllowRemote"/>
/// (an address anyone on the network can reach needs the operator to say so: <c>--dashboard-allow-remote</c>).
/// <see cref="Token"/> (from <c>DASHBOARD_TOKEN</c>) guards every POST; without it POSTs are refused.
/// </summary>
public sealed record DashboardOptions(IPAddress Address, int Port, bool AllowRemote, string? Token, string ModelsFolder, string DataRoot)
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Parses <paramref name="url"/>; false with a one-line reason on a bad or non-loopback address.</summary>
    public static bool TryParse(string url, bool allowRemote, string? token, string modelsFolder, string dataRoot, [NotNullWhen(true)] out DashboardOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            error = $"--dashboard-url: '{url}' must be http://HOST:PORT (e.g. {DefaultUrl})";
            return false;
        }

        IPAddress? address = uri.HostNameType switch
        {
            UriHostNameType.IPv4 or UriHostNameType.IPv6 => IPAddress.Parse(uri.DnsSafeHost),
            _ when string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) => IPAddress.Loopback,
            _ => null,
        };
        if (address is null)
        {
            error = $"--dashboard-url: '{uri.Host}' is not an IP address or localhost";
            return false;
        }

        if (!IPAddress.IsLoopback(address) && !allowRemote)
        {
            error = $"--dashboard-url: {address} is reachable beyond this machine; add --dashboard-allow-remote to bind it";
            return false;
        }

        if (token is { Length: > 0 and < 16 })
        {
            error = "DASHBOARD_TOKEN: must be at least 16 characters";
            return false;
        }

        options = new DashboardOptions(address, uri.Port, allowRemote, token is { Length: > 0 } ? token : null, modelsFolder, dataRoot);
        error = null;
        return true;
    }

    /// <summary>The URL as people type it.</summary>
    public string Url(int port) => $"http://{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{port}";
}
