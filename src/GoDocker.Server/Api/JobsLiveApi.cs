using System.Text;
using System.Text.Json;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace GoDocker.Server.Api;

/// <summary>
/// Live views for the web interface, as server-sent events: GET /jobs/events (the page GET /jobs would answer, with the
/// same parameters, read by <see cref="JobListQuery"/>) and GET /jobs/{id}/live (the job as GET /jobs/{id} answers it). Each reads its page again every
/// Web:LiveInterval and sends it only when its JSON changed; each read is authorized as the plain read is, so a job that
/// stops being the caller's to see drops out (the list) or ends the stream (the job).
/// </summary>
internal static class JobsLiveApi
{
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(15);

    public static void MapJobsLive(this IEndpointRouteBuilder api)
    {
        api.MapGet("/jobs/events", ListAsync)
            .WithName("ListJobsLive").WithSummary("GET /jobs as server-sent events: `event: jobs` with the page now and whenever it changes")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesValidationProblem();
        api.MapGet("/jobs/{id:long}/live", JobAsync)
            .WithName("GetJobLive").WithSummary("GET /jobs/{id} as server-sent events: `event: job` now and whenever it changes")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, IJobStore store, CallerResolver callers, LiveCredentials credentials, IOptions<HttpJsonOptions> json,
        IOptions<GoDockerOptions> settings, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        if (!JobListQuery.TryParse(context.Request.Query, await callers.ResolveAsync(context, context.RequestAborted), out _, out var refused))
        {
            return refused;
        }
        await StreamAsync(context, "jobs", settings.Value.Web.LiveInterval, time, lifetime, credentials, async cancellationToken =>
        {
            // The caller again each time: the projects they manage decide what the page holds.
            JobListQuery.TryParse(context.Request.Query, await callers.ResolveAsync(context, cancellationToken), out var query, out _);
            return Serialize(await JobsApi.ListPageAsync(store, query!, cancellationToken), json.Value);
        });
        return Results.Empty;
    }

    private static async Task<IResult> JobAsync(
        long id, HttpContext context, IJobStore store, JobDirectory dirs, JobAccess access, LiveCredentials credentials, IOptions<HttpJsonOptions> json,
        IOptions<GoDockerOptions> settings, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, context.RequestAborted);
        if (job is null)
        {
            return refused!;
        }
        await StreamAsync(context, "job", settings.Value.Web.LiveInterval, time, lifetime, credentials, async cancellationToken =>
        {
            var (current, _, _) = await access.SeeAsync(id, context, cancellationToken);
            return current is null ? null : Serialize(await JobsApi.DetailedViewAsync(store, dirs, current, cancellationToken), json.Value);
        });
        return Results.Empty;
    }

    /// <summary>Exactly the bytes the plain read would answer (the API's JSON options), so an unchanged page compares equal.</summary>
    private static byte[] Serialize<T>(T value, HttpJsonOptions json) =>
        JsonSerializer.SerializeToUtf8Bytes(value, json.SerializerOptions.GetTypeInfo(typeof(T)));

    /// <summary>
    /// Sends <paramref name="read"/>'s JSON as <paramref name="eventName"/> events: at once, then whenever it changes; a
    /// comment every <see cref="KeepaliveInterval"/> (so proxies and the browser keep the connection); until the client
    /// goes, the server stops, <paramref name="read"/> answers null, or the request's token no longer holds.
    /// </summary>
    private static async Task StreamAsync(
        HttpContext context, string eventName, TimeSpan interval, TimeProvider time, IHostApplicationLifetime lifetime,
        LiveCredentials credentials, Func<CancellationToken, Task<byte[]?>> read)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) buffer responses unless told not to; an event must reach the browser when it is written.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var prefix = Encoding.UTF8.GetBytes($"event: {eventName}\ndata: ");
        byte[]? last = null;
        var lastWritten = time.GetUtcNow();
        var lastChecked = lastWritten;
        try
        {
            await response.StartAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() - lastChecked >= KeepaliveInterval)
                {
                    if (!await credentials.StillValidAsync(context, cancellationToken))
                    {
                        break;
                    }
                    lastChecked = time.GetUtcNow();
                }
                var current = await read(cancellationToken);
                if (current is null)
                {
                    break;
                }
                if (last is null || !current.AsSpan().SequenceEqual(last))
                {
                    // Compact JSON has no line breaks (they are escaped inside strings): one data line is the whole event.
                    await response.Body.WriteAsync(prefix, cancellationToken);
                    await response.Body.WriteAsync(current, cancellationToken);
                    await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    last = current;
                    lastWritten = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - lastWritten >= KeepaliveInterval)
                {
                    await response.Body.WriteAsync(": keepalive\n\n"u8.ToArray(), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    lastWritten = time.GetUtcNow();
                }
                await Task.Delay(interval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the server is stopping.
        }
    }
}
