using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.UseCases;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api;

/// <summary>
/// GET /api/v1/jobs/{id}/exec: a command in a running job, and GET /api/v1/jobs/{id}/attach: an interactive job's own
/// terminal, each over a WebSocket (<see cref="ExecProtocol"/>). Everything
/// that can be refused is refused before the upgrade, as problem details: the query (400 naming the field), not a
/// WebSocket or not our subprotocol (400), the job (404 not yours, 409 not running, 503 its engine does not answer).
/// A cross-site page cannot open it with the user's cookie: <see cref="RequestGuards.BrowserRequestGuard"/> refuses an
/// upgrade from another origin.
/// </summary>
internal static class JobExecApi
{
    public static void MapJobExec(this IEndpointRouteBuilder api)
    {
        api.MapGet("/jobs/{id:long}/exec", ExecAsync)
            .WithName("ExecInJob").WithSummary($"Run a command in a running job: a WebSocket of subprotocol {ExecProtocol.SubProtocol}")
            .Produces(StatusCodes.Status101SwitchingProtocols).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/jobs/{id:long}/attach", AttachAsync)
            .WithName("AttachToJob").WithSummary($"Join a running interactive job's terminal: a WebSocket of subprotocol {ExecProtocol.SubProtocol}")
            .Produces(StatusCodes.Status101SwitchingProtocols).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static Task<IResult> ExecAsync(
        long id, HttpContext context, CallerResolver callers, JobExec exec, IOptions<GoDockerOptions> settings, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers) =>
        SessionAsync(id, context, callers, exec, new SessionServices(settings.Value.Exec, time, lifetime, loggers),
            (IQueryCollection q, out ExecCommand? query, out Dictionary<string, string[]> errors) => ExecQuery.TryParse(q, out query, out errors),
            (caller, query) => exec.StartAsync(caller, id, query, context.RequestAborted),
            query => query.Stdin,
            (caller, query, status) => exec.RecordEndAsync(caller, id, query, status));

    /// <summary>
    /// GET /api/v1/jobs/{id}/attach: the client becomes the terminal of a running interactive job (godocker attach,
    /// godocker run -it, the web page's terminal). Closing the socket detaches; the job runs on. The same limits as an
    /// exec end an attachment (idle, maximum length), never the job: its walltime does.
    /// </summary>
    private static Task<IResult> AttachAsync(
        long id, HttpContext context, CallerResolver callers, JobExec exec, IOptions<GoDockerOptions> settings, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers) =>
        SessionAsync(id, context, callers, exec, new SessionServices(settings.Value.Exec, time, lifetime, loggers),
            (IQueryCollection q, out AttachCommand? query, out Dictionary<string, string[]> errors) => ExecQuery.TryParseAttach(q, out query, out errors),
            (caller, query) => exec.AttachAsync(caller, id, query, context.RequestAborted),
            _ => true,
            (caller, _, status) => exec.RecordDetachAsync(caller, id, status));

    private sealed record SessionServices(ExecOptions Limits, TimeProvider Time, IHostApplicationLifetime Lifetime, ILoggerFactory Loggers);

    private delegate bool QueryParser<TQuery>(IQueryCollection query, out TQuery? parsed, out Dictionary<string, string[]> errors);

    /// <summary>
    /// One session's way: who cannot see the job gets 404 whatever else was sent; then the query (400 naming the field),
    /// the upgrade (400), the start (409/503 as a problem), all before the upgrade; then the relay, and its end recorded.
    /// </summary>
    private static async Task<IResult> SessionAsync<TQuery>(
        long id, HttpContext context, CallerResolver callers, JobExec exec, SessionServices services, QueryParser<TQuery> parse,
        Func<Caller, TQuery, Task<(IExecSession? Session, ControlOutcome? Refused)>> start, Func<TQuery, bool> takesInput,
        Func<Caller, TQuery, ExecStatus, Task> recordEnd)
        where TQuery : class
    {
        var caller = await callers.ResolveAsync(context, context.RequestAborted);
        if (await exec.RefusedUnseenAsync(caller, id, context.RequestAborted) is { } unseen)
        {
            return JobsApi.Controlled(unseen);
        }
        if (!parse(context.Request.Query, out var query, out var errors))
        {
            return Problems.Validation(errors);
        }
        if (RefusedUpgrade(context) is { } refusedUpgrade)
        {
            return refusedUpgrade;
        }
        var (session, refused) = await start(caller, query!);
        if (session is null)
        {
            return JobsApi.Controlled(refused!);
        }
        var status = await RelayAsync(context, session, takesInput(query!), services);
        await recordEnd(caller, query!, status);
        return Results.Empty;
    }

    /// <summary>Not a WebSocket, or not our subprotocol: a 400 naming the header, before anything starts.</summary>
    private static IResult? RefusedUpgrade(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Field("Upgrade", "this endpoint is a WebSocket: send Upgrade: websocket");
        }
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(ExecProtocol.SubProtocol))
        {
            return Problems.Field("Sec-WebSocket-Protocol", $"ask for the subprotocol {ExecProtocol.SubProtocol}");
        }
        return null;
    }

    /// <summary>Accepts the WebSocket and relays the session until it ends (<see cref="ExecRelay"/>); the session is disposed either way.</summary>
    private static async Task<ExecStatus> RelayAsync(HttpContext context, IExecSession session, bool stdin, SessionServices services)
    {
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = ExecProtocol.SubProtocol,
                // Pings keep proxies from dropping a quiet terminal; they are not activity for the idle timeout.
                KeepAliveInterval = TimeSpan.FromSeconds(30),
            });
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, services.Lifetime.ApplicationStopping);
            using var relay = new ExecRelay(socket, session, stdin, services.Limits, services.Time, services.Loggers.CreateLogger<ExecRelay>());
            return await relay.RunAsync(stopping.Token);
        }
        finally
        {
            await session.DisposeAsync();
        }
    }
}
