namespace GoDocker.Cli.Api;

/// <summary>Where the GoDocker server is: <c>--url</c>, else <c>GODOCKER_URL</c>, else the local default.</summary>
internal static class ServerAddress
{
    public const string EnvironmentVariable = "GODOCKER_URL";
    public const string Default = "http://127.0.0.1:8080";

    /// <summary>Picks the first address given and checks it; "host:port" without a scheme means http.</summary>
    /// <exception cref="UsageException">when the chosen address is not an http(s) URL.</exception>
    public static Uri Resolve(string? flag, string? environment)
    {
        var (text, source) = !string.IsNullOrWhiteSpace(flag) ? (flag, "--url")
            : !string.IsNullOrWhiteSpace(environment) ? (environment, EnvironmentVariable)
            : (Default, "the default");
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new UsageException($"{source}: '{text}' is not a server address (e.g. http://127.0.0.1:8080)");
        }
        return uri;
    }

    /// <summary>The address as people write it, without a trailing slash.</summary>
    public static string Display(Uri address) => address.OriginalString.TrimEnd('/');
}
