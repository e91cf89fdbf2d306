using GoDocker.Server.Configuration;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Web;

/// <summary>
/// Serves the built web interface (web/dist, copied to ui/ beside the binary; Server:WebRoot) to anyone, before
/// authentication: its files as they are, and index.html for every other path outside /api and /metrics, so the app's
/// own routes (/jobs/42) load it. The API stays the API: an unknown /api path is still a 404 problem. The app's hashed
/// assets/ are cached for good; index.html is revalidated each time, so a new build is picked up at the next load.
/// </summary>
internal sealed class WebInterface
{
    // Styles may be inline: the job page's terminal (xterm.js) writes its theme and cell sizes as <style> elements and
    // its colours as style attributes, which it cannot be told to do otherwise; without them chromium blocks every
    // one and the screen is unreadable. Scripts stay 'self' only, which is what keeps markup from running; a style
    // cannot send anything anywhere but this origin (img-src, connect-src 'self').
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private const string IndexFile = "index.html";
    private const string AssetsFolder = "/assets";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private readonly RequestDelegate next;
    private readonly PhysicalFileProvider? files;

    public WebInterface(RequestDelegate next, IOptions<GoDockerOptions> settings)
    {
        this.next = next;
        var root = Root(settings.Value.Server);
        // Absent in a build without the app (no npm): then / says how to build it.
        files = Directory.Exists(root) ? new PhysicalFileProvider(root) : null;
    }

    /// <summary>Server:WebRoot, else the ui folder the build copies web/dist to.</summary>
    public static string Root(ServerOptions server) =>
        string.IsNullOrEmpty(server.WebRoot) ? Path.Combine(AppContext.BaseDirectory, "ui") : server.WebRoot;

    /// <summary>Paths that are the server's own (the API, Prometheus), never the app's.</summary>
    public static bool IsServerPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/ga4gh", StringComparison.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (IsServerPath(request.Path) || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return next(context);
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        var index = files?.GetFileInfo(IndexFile);
        if (index is not { Exists: true })
        {
            return NotBuiltAsync(context);
        }
        var path = request.Path.Value ?? "/";
        var file = path == "/" ? index : files!.GetFileInfo(path);
        var asset = request.Path.StartsWithSegments(AssetsFolder, StringComparison.Ordinal);
        if (file is not { Exists: true, IsDirectory: false, PhysicalPath: not null })
        {
            if (asset)
            {
                // A build's asset that is not there (a tab open across an upgrade): index.html would be cached as the script.
                headers.CacheControl = "no-cache";
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            file = index;
        }
        // Asset names carry their content's hash: a new build has new names, so an asset never changes under its name.
        headers.CacheControl = asset && file != index ? "public, max-age=31536000, immutable" : "no-cache";
        var contentType = file.Name == IndexFile ? "text/html; charset=utf-8"
            : ContentTypes.TryGetContentType(file.Name, out var known) ? known : "application/octet-stream";
        return TypedResults.PhysicalFile(file.PhysicalPath!, contentType, lastModified: file.LastModified).ExecuteAsync(context);
    }

    private static Task NotBuiltAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.StatusCode = context.Request.Path == "/" ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        return TypedResults.Text("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>GoDocker</title></head>
            <body><h1>GoDocker</h1>
            <p>The web interface is not built. <code>./godocker.sh up</code> builds it (web/, with npm) and starts the server;
            the REST API answers under <a href="/api/v1/openapi.json">/api/v1</a> meanwhile.</p></body></html>
            """, "text/html; charset=utf-8", statusCode: context.Response.StatusCode).ExecuteAsync(context);
    }
}
