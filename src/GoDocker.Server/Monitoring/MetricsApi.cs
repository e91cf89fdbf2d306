using GoDocker.Server.Auth;

namespace GoDocker.Server.Monitoring;

/// <summary>
/// GET /metrics, the Prometheus text format. Who may read it: with Metrics:TokenSha256 set, a request bearing that token
/// (and no one else: 401 otherwise); without it, an administrator, as for the rest of the administration API (401 for no
/// caller, 403 for a caller who is not one). It is never open to whoever reaches the port: the figures name projects and nodes.
/// </summary>
internal static class MetricsApi
{
    public const string Path = "/metrics";
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void MapMetrics(this IEndpointRouteBuilder app)
    {
        // Built now, so its scrape-time callback is on the registry before the first scrape.
        app.ServiceProvider.GetRequiredService<ClusterGauges>();
        // Anonymous to the authorization middleware: the scrape token is no API token; the handler decides (above).
        // Published in the OpenAPI document, so the authorization tests' walk over every endpoint covers it.
        app.MapGet(Path, ServeAsync).AllowAnonymous()
            .WithName("Metrics").WithSummary("Prometheus metrics (text format): the scrape token's, else administrators'")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task ServeAsync(HttpContext context, ServerMetrics metrics, ScrapeToken token, CancellationToken cancellationToken)
    {
        var allowed = token.Configured
            ? token.Admits(context.Request.Headers.Authorization.ToString())
            : context.User.HasClaim(GoDockerAuthenticationHandler.AdminClaim, "true");
        if (!allowed)
        {
            var anonymous = token.Configured || context.User.Identity?.IsAuthenticated != true;
            if (anonymous)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"godocker metrics\"";
            }
            await Results.Problem(
                statusCode: anonymous ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
                title: anonymous ? "Unauthorized" : "Forbidden",
                detail: token.Configured ? "/metrics needs the scrape token (Metrics:TokenSha256) as a bearer token" : "/metrics is for administrators").ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = ContentType;
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, cancellationToken);
    }
}
