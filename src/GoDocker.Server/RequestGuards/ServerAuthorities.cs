using System.Net;
using GoDocker.Server.Configuration;

namespace GoDocker.Server.RequestGuards;

/// <summary>
/// The names and origins this server answers for: the hosts of Server:Listen and Server:PublicUrls, any IP literal,
/// and "localhost". A DNS rebinding attack needs a name the attacker controls that resolves to this server, so only
/// names are checked; ports are not compared (an ssh tunnel or a proxy changes the port, and the port does not make a
/// name the attacker's).
/// </summary>
internal sealed class ServerAuthorities
{
    private readonly HashSet<string> names = new(StringComparer.OrdinalIgnoreCase) { "localhost" };
    private readonly HashSet<string> origins = new(StringComparer.OrdinalIgnoreCase);

    public ServerAuthorities(ServerOptions server)
    {
        foreach (var listen in ListenUrls(server.Listen))
        {
            if (!IsWildcard(listen.Host))
            {
                names.Add(listen.Host);
                origins.Add(Origin(listen.Scheme, listen.Host, listen.Port));
            }
        }
        foreach (var url in server.PublicUrls)
        {
            // Checked at start (ConfigurationCheck): a bad one never gets here.
            if (!TryParsePublicUrl(url, out var uri))
            {
                continue;
            }
            names.Add(HostName(uri));
            origins.Add(Origin(uri.Scheme, HostName(uri), uri.Port));
        }
    }

    /// <summary>Whether a request's Host header (host[:port]) names this server; an absent one does (no browser omits it).</summary>
    public bool IsOwnHost(string hostHeader)
    {
        if (hostHeader.Length == 0)
        {
            return true;
        }
        var host = HostOf(hostHeader);
        return host is not null && (IsIpLiteral(host) || names.Contains(host.TrimEnd('.')));
    }

    /// <summary>
    /// Whether an Origin header is this server's own: the origin of the request itself (its scheme and, already
    /// checked, Host), of a listen address, or of a public URL. "null" (sandboxed frames, file: pages, redirects) is not.
    /// </summary>
    public bool IsOwnOrigin(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            return false;
        }
        var own = Origin(uri.Scheme, HostName(uri), uri.Port);
        var requestHost = HostOf(request.Host.Value ?? "");
        if (requestHost is not null)
        {
            var port = request.Host.Port ?? (request.Scheme == "https" ? 443 : 80);
            if (string.Equals(own, Origin(request.Scheme, requestHost.TrimEnd('.'), port), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return origins.Contains(own);
    }

    /// <summary>Whether every address of Server:Listen is a loopback one (127.0.0.0/8, ::1, localhost).</summary>
    public static bool ListensOnLoopbackOnly(string listen) =>
        ListenUrls(listen).All(u => u.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>Whether a Server:PublicUrls entry is an absolute http(s) URL with a host.</summary>
    public static bool TryParsePublicUrl(string url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" && uri.IdnHost.Length > 0;

    /// <summary>Server:Listen as Kestrel reads it: URLs separated by ';', whose host may be '*' or '+' (every address).</summary>
    private static IEnumerable<(string Scheme, string Host, int Port)> ListenUrls(string listen)
    {
        foreach (var url in listen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
            var scheme = schemeEnd < 0 ? "http" : url[..schemeEnd].ToLowerInvariant();
            var authority = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            authority = slash < 0 ? authority : authority[..slash];
            var host = HostOf(authority) ?? authority;
            var portText = authority[host.Length..].TrimStart(':');
            var port = int.TryParse(portText, out var p) ? p : scheme == "https" ? 443 : 80;
            yield return (scheme, host, port);
        }
    }

    /// <summary>The host part of host[:port]: a name, an IPv4 literal, or a bracketed IPv6 literal; null when malformed.</summary>
    private static string? HostOf(string authority)
    {
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? null : authority[..(close + 1)];
        }
        var colon = authority.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? authority : authority[..colon];
    }

    private static bool IsIpLiteral(string host) =>
        host.StartsWith('[') ? IPAddress.TryParse(host[1..^1], out _) : IPAddress.TryParse(host, out var v4) && host.Count(c => c == '.') == 3 && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    /// <summary>The host as a Host header carries it: punycode for names, brackets for IPv6.</summary>
    private static string HostName(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost.TrimEnd('.');

    private static bool IsWildcard(string host) => host is "*" or "+" or "0.0.0.0" or "[::]";

    private static string Origin(string scheme, string host, int port) => $"{scheme}://{host}:{port}";
}
