using System.CommandLine;
using GoDocker.Cli.Api;
using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli;

/// <summary>Options every command takes, defined once per command tree.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Server address (else ${ServerAddress.EnvironmentVariable}, else {ServerAddress.Default})",
        HelpName = "URL",
        Recursive = true,
    };

    /// <exception cref="UsageException">when the address chosen is not an http(s) URL, or is https and this build has no TLS.</exception>
    public GoDockerClient CreateClient(ParseResult parse) => CreateClient(parse.GetValue(Url));

    /// <summary>
    /// The client for <paramref name="url"/> (null: $GODOCKER_URL, else the default) with the caller's token; libdrmaa's
    /// contact string comes here too, so a DRMAA session and the CLI reach the same server as the same user.
    /// </summary>
    /// <exception cref="UsageException">when the address chosen is not an http(s) URL, or is https and this build has no TLS.</exception>
    public static GoDockerClient CreateClient(string? url)
    {
        var server = ServerAddress.Resolve(url, Environment.GetEnvironmentVariable(ServerAddress.EnvironmentVariable));
        if (server.Scheme == Uri.UriSchemeHttps && !TlsSupport.IsEnabled)
        {
            throw new UsageException($"{ServerAddress.Display(server)}: this godocker was built without https support (rebuild with -p:GoDockerTls=true, or use http://)");
        }
        // The token saved by `godocker login` goes only to the server it was issued by; GODOCKER_TOKEN wins.
        var token = Environment.GetEnvironmentVariable(Credentials.EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Credentials.Load() is { } saved && saved.Server == ServerAddress.Display(server) ? saved.Token : null;
        return new GoDockerClient(server, token);
    }
}
