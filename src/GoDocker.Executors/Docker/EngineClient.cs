using System.Net;
using Docker.DotNet;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Talking to a Docker engine's API, for every executor that does (a node's engine, a swarm's manager): the client
/// for an endpoint (mutual TLS when the options name a TLS folder), and how its failures read.
/// </summary>
internal static class EngineClient
{
    public static DockerClient Create(DockerExecutorOptions options)
    {
        var builder = new DockerClientBuilder()
            .WithEndpoint(new Uri(options.Endpoint))
            .WithTimeout(options.RequestTimeout);
        if (options.TlsCertPath is { } tls)
        {
            // Mutual TLS (checked at start by the configuration check; loaded again here, so a bad file fails loudly).
            builder = builder.WithAuthProvider(EngineTls.Load(tls).Credentials());
        }
        return builder.Build();
    }

    /// <summary>Worth trying again: a timeout, a broken or refused connection, or the engine's own 5xx.</summary>
    public static bool IsTransient(Exception e) =>
        e is TimeoutException or TaskCanceledException or HttpRequestException or IOException
        || e is DockerApiException { StatusCode: >= HttpStatusCode.InternalServerError };

    /// <summary>The engine could not be reached (connection refused or broken), as opposed to a slow answer.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or IOException || e.InnerException is HttpRequestException or IOException or System.Net.Sockets.SocketException;

    /// <summary>
    /// The engine does not answer: unreachable, or no answer within the client's timeout (a hung engine is as silent as
    /// a cut link). An answer, even an error, is not this.
    /// </summary>
    public static bool DoesNotAnswer(Exception e, CancellationToken cancellationToken) =>
        !IsTlsRefusal(e) && (IsUnreachable(e) || e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested));

    /// <summary>
    /// A TLS handshake either side refused (an engine the site CA did not sign, or one refusing our expired client
    /// certificate, whose alert arrives as an IOException): something answered, so what runs there may run on.
    /// </summary>
    private static bool IsTlsRefusal(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException
                || inner.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase)
                || inner.Message.Contains("SSL", StringComparison.Ordinal) || inner.Message.Contains("TLS", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The engine's "message" from an error answer, else the answer's text.</summary>
    public static string Message(DockerApiException e)
    {
        var body = e.ResponseBody ?? e.Message;
        var start = body.IndexOf("\"message\":\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return body.Trim();
        }
        start += 11;
        var end = body.IndexOf('"', start);
        return end > start ? body[start..end] : body.Trim();
    }
}
