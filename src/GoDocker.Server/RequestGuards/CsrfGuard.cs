using GoDocker.Server.Auth;
using Microsoft.AspNetCore.Authorization;

namespace GoDocker.Server.RequestGuards;

/// <summary>
/// After authentication: a request authenticated by the session cookie that changes state must carry the session's CSRF
/// value in <see cref="WebSession.CsrfHeader"/> (403 naming the header otherwise). The browser attaches the cookie to
/// whatever a page sends; only our own app, which read the value from the session's JSON, can send the header. The
/// SameSite=Strict cookie and <see cref="BrowserRequestGuard"/> already refuse other sites; this holds even if one of
/// them fails (an old browser, a same-site page of another service). Bearer requests are not concerned: no page can
/// make a browser add that header to another origin.
/// </summary>
internal sealed class CsrfGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // A browser cannot add the CSRF header to a WebSocket, but always sends its Origin, which the
        // BrowserRequestGuard checked: a cookie-authenticated upgrade without one came from no page of ours.
        if (context.WebSockets.IsWebSocketRequest
            && context.User.HasClaim(GoDockerAuthenticationHandler.ViaCookieClaim, "true")
            && context.Request.Headers.Origin.Count == 0)
        {
            const string Detail = "a WebSocket authenticated by the session cookie needs this server's Origin";
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["Origin"] = [Detail] })
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Origin missing",
                Detail = Detail,
            }).ExecuteAsync(context);
        }
        if (!WebSession.ChangesState(context.Request.Method)
            || !context.User.HasClaim(GoDockerAuthenticationHandler.ViaCookieClaim, "true")
            // An endpoint open to anyone (logging in) acts for no caller: the cookie lends it no authority to forge.
            || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return next(context);
        }
        if (WebSession.CsrfMatches(context.User.FindFirst(GoDockerAuthenticationHandler.CsrfClaim)?.Value, context.Request.Headers[WebSession.CsrfHeader].ToString()))
        {
            return next(context);
        }
        var detail = $"a {context.Request.Method} authenticated by the session cookie needs the session's CSRF token in the {WebSession.CsrfHeader} header";
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [WebSession.CsrfHeader] = [detail] })
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "CSRF token missing or wrong",
            Detail = detail,
        }).ExecuteAsync(context);
    }
}
