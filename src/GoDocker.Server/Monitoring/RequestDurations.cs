namespace GoDocker.Server.Monitoring;

/// <summary>
/// Observes every request's duration in godocker_http_request_duration_seconds{method, route, code}. The route is the
/// endpoint's template (/api/v1/jobs/{id:long}), never the path people typed: label values stay as few as the endpoints, so a
/// scan of random paths cannot grow the series without bound (it counts as "unmatched", methods outside the usual as "other").
/// </summary>
public sealed class RequestDurations(RequestDelegate next, ServerMetrics metrics, TimeProvider time)
{
    public const string Unmatched = "unmatched";

    private static readonly HashSet<string> Methods = new(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            // First in the pipeline: the exception handler has already turned a fault into its 500 here.
            metrics.Request(Method(context.Request.Method), Route(context), context.Response.StatusCode, time.GetElapsedTime(started));
        }
    }

    /// <summary>The matched endpoint's route template, or <see cref="Unmatched"/>.</summary>
    public static string Route(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? template : Unmatched;

    private static string Method(string method) => Methods.Contains(method) ? method : "other";
}
