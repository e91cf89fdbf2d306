namespace GoDocker.Cli.Api.Http;

/// <summary>The peer's bytes are not the HTTP/1.1 this client understands (not an HTTP server, or a broken reply).</summary>
internal sealed class MalformedReplyException(string message) : IOException(message);
