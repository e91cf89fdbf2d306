namespace GoDocker.Server.Web;

/// <summary>
/// Every answer of the API (and /metrics) is data, never a page: a browser that opens one directly (a job's file, its
/// output, a problem quoting what a job wrote) must not sniff it into HTML nor run anything in it as our origin. nosniff
/// keeps the declared type; the sandbox CSP gives anything rendered anyway an opaque origin with no script, and no frame
/// may embed it. Set as the answer starts, so refusals and faults written by later middleware carry them too.
/// </summary>
internal sealed class ApiResponseHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy = "default-src 'none'; sandbox; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        if (WebInterface.IsServerPath(context.Request.Path))
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                return Task.CompletedTask;
            }, context.Response);
        }
        return next(context);
    }
}
