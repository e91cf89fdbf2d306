using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;

namespace GoDocker.Server.RequestGuards;

/// <summary>
/// Refuses what only a web page the operator opens would send, before authentication runs:
/// a Host that is not this server's (DNS rebinding: 421), a state-changing request from another origin
/// or a WebSocket upgrade from another origin (Origin not ours, Origin: null, Sec-Fetch-Site cross-site or same-site: 403), and a body that is not JSON
/// (415: a page can send text/plain or a form cross-origin without a CORS preflight, but not application/json).
/// Clients that are not browsers (the CLI, curl, scripts) send no Origin and a JSON body, and pass.
/// </summary>
internal sealed class BrowserRequestGuard(RequestDelegate next, ServerAuthorities authorities)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!authorities.IsOwnHost(request.Headers.Host.ToString()))
        {
            return Refuse(context, StatusCodes.Status421MisdirectedRequest, "Misdirected request", "Host",
                $"Host '{request.Headers.Host}' is not a name of this server: add its URL to Server:PublicUrls if it is");
        }
        // A WebSocket upgrade is a GET that acts (a shell in a job), and browsers let any page open one to any origin
        // with the user's cookie (cross-site WebSocket hijacking): it is checked as a state-changing request.
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method)
            || context.WebSockets.IsWebSocketRequest)
        {
            var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
            if (fetchSite is "cross-site" or "same-site")
            {
                return Refuse(context, StatusCodes.Status403Forbidden, "Cross-site request refused", "Sec-Fetch-Site",
                    $"a {request.Method} from another site (Sec-Fetch-Site: {fetchSite}) is refused");
            }
            var origin = request.Headers.Origin.ToString();
            if (request.Headers.Origin.Count > 0 && !authorities.IsOwnOrigin(origin, request))
            {
                return Refuse(context, StatusCodes.Status403Forbidden, "Cross-origin request refused", "Origin",
                    $"a {request.Method} from origin '{origin}' is refused: only this server's own origin may change state");
            }
        }
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true && !IsJson(request.ContentType))
        {
            return Refuse(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Content-Type",
                $"a request body must be JSON (Content-Type: application/json), not '{request.ContentType}'");
        }
        return next(context);
    }

    /// <summary>application/json or a +json type (RFC 6839), any parameters: none of them can be sent cross-origin without a preflight.</summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static Task Refuse(HttpContext context, int status, string title, string header, string detail) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [header] = [detail] })
        {
            Status = status,
            Title = title,
            Detail = detail,
        }).ExecuteAsync(context);
}
