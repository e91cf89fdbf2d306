using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.UseCases;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api;

/// <summary>
/// GET /api/v1/jobs/{id}/exec: a command in a running job, over a WebSocket (<see cref="ExecProtocol"/>). Everything
/// that can be refused is refused before the upgrade, as problem details: the query (400 naming the field), not a
/// WebSocket or not our subprotocol (400), the job (404 not yours, 409 not running, 503 its engine does not answer).
/// A cross-site page cannot open it with the user's cookie: <see cref="RequestGuards.BrowserRequestGuard"/> refuses an
/// upgrade from another origin.
/// </summary>
internal static class JobExecApi
{
    public static void MapJobExec(this IEndpointRouteBuilder api) =>
        api.MapGet("/jobs/{id:long}/exec", ExecAsync)
            .WithName("ExecInJob").WithSummary($"Run a command in a running job: a WebSocket of subprotocol {ExecProtocol.SubProtocol}")
            .Produces(StatusCodes.Status101SwitchingProtocols).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

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
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Field("Upgrade", "this endpoint is a WebSocket: send Upgrade: websocket");
        }
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(ExecProtocol.SubProtocol))
        {
            return Problems.Field("Sec-WebSocket-Protocol", $"ask for the subprotocol {ExecProtocol.SubProtocol}");
        }
        var (session, refused) = await exec.StartAsync(caller, id, query!, context.RequestAborted);
        if (session is null)
        {
            return JobsApi.Controlled(refused!);
        }
        ExecStatus status;
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = ExecProtocol.SubProtocol,
                // Pings keep proxies from dropping a quiet terminal; they are not activity for the idle timeout.
                KeepAliveInterval = TimeSpan.FromSeconds(30),
            });
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            using var relay = new ExecRelay(socket, session, query!.Stdin, settings.Value.Exec, time, loggers.CreateLogger<ExecRelay>());
            status = await relay.RunAsync(stopping.Token);
        }
        finally
        {
            await session.DisposeAsync();
        }
        await exec.RecordEndAsync(caller, id, query!, status);
        return Results.Empty;
    }
}
