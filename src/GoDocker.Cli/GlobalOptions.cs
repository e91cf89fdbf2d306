using System.CommandLine;
using GoDocker.Cli.Api;

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

    /// <exception cref="UsageException">when the address chosen is not an http(s) URL.</exception>
    public GoDockerClient CreateClient(ParseResult parse) =>
        new(ServerAddress.Resolve(parse.GetValue(Url), Environment.GetEnvironmentVariable(ServerAddress.EnvironmentVariable)));
}
