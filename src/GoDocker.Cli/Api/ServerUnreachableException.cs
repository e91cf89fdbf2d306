namespace GoDocker.Cli.Api;

/// <summary>No usable answer from the server (refused, timed out, connection dropped). Mapped to <see cref="ExitCodes.Unreachable"/>.</summary>
internal sealed class ServerUnreachableException(Uri server, string reason, Exception? inner = null)
    : Exception($"cannot reach the GoDocker server at {ServerAddress.Display(server)} ({reason}); is it running? (set {ServerAddress.EnvironmentVariable} or --url)", inner)
{
    public string Reason { get; } = reason;
}
