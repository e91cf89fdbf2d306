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

    private static async Task<IResult> ExecAsync(
        long id, HttpContext context, CallerResolver callers, JobExec exec, IOptions<GoDockerOptions> settings, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var caller = await callers.ResolveAsync(context, context.RequestAborted);
        if (await exec.RefusedUnseenAsync(caller, id, context.RequestAborted) is { } unseen)
        {
            return JobsApi.Controlled(unseen);
        }
        if (!ExecQuery.TryParse(context.Request.Query, out var query, out var errors))
        {
            return Problems.Validation(errors);
        }
        if (RefusedUpgrade(context) is { } refusedUpgrade)
        {
            return refusedUpgrade;
        }
        var (session, refused) = await exec.StartAsync(caller, id, query!, context.RequestAborted);
        if (session is null)
        {
            return JobsApi.Controlled(refused!);
        }
        var status = await RelayAsync(context, session, query!.Stdin, settings.Value.Exec, time, lifetime, loggers);
        await exec.RecordEndAsync(caller, id, query!, status);
        return Results.Empty;
    }

    /// <summary>
    /// GET /api/v1/jobs/{id}/attach: the client becomes the terminal of a running interactive job (godocker attach,
    /// godocker run -it, the web page's terminal). Closing the socket detaches; the job runs on. The same limits as an
    /// exec end an attachment (idle, maximum length), never the job: its walltime does.
    /// </summary>
    private static async Task<IResult> AttachAsync(
        long id, HttpContext context, CallerResolver callers, JobExec exec, IOptions<GoDockerOptions> settings, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        var caller = await callers.ResolveAsync(context, context.RequestAborted);
        if (await exec.RefusedUnseenAsync(caller, id, context.RequestAborted) is { } unseen)
        {
            return JobsApi.Controlled(unseen);
        }
        if (!ExecQuery.TryParseAttach(context.Request.Query, out var query, out var errors))
        {
            return Problems.Validation(errors);
        }
        if (RefusedUpgrade(context) is { } refusedUpgrade)
        {
            return refusedUpgrade;
        }
        var (session, refused) = await exec.AttachAsync(caller, id, query!, context.RequestAborted);
        if (session is null)
        {
            return JobsApi.Controlled(refused!);
        }
        var status = await RelayAsync(context, session, stdin: true, settings.Value.Exec, time, lifetime, loggers);
        await exec.RecordDetachAsync(caller, id, status);
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
    private static async Task<ExecStatus> RelayAsync(
        HttpContext context, IExecSession session, bool stdin, ExecOptions limits, TimeProvider time, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = ExecProtocol.SubProtocol,
                // Pings keep proxies from dropping a quiet terminal; they are not activity for the idle timeout.
                KeepAliveInterval = TimeSpan.FromSeconds(30),
            });
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            using var relay = new ExecRelay(socket, session, stdin, limits, time, loggers.CreateLogger<ExecRelay>());
            return await relay.RunAsync(stopping.Token);
        }
        finally
        {
            await session.DisposeAsync();
        }
    }
}
