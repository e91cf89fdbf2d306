using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.AspNetCore.Http.Features;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/jobs/{id}/stdout and /stderr: the whole file, or followed live (chunked) until the job ends.</summary>
internal static class JobOutputApi
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>On GET stdout/stderr of a job that sent that stream to a file of its own: the file's path in the container.</summary>
    public const string OutputPathHeader = "GoDocker-Output-Path";

    public static void MapJobOutput(this IEndpointRouteBuilder api)
    {
        api.MapGet("/jobs/{id:long}/stdout", (long id, bool? follow, HttpContext context, IJobStore store, JobAccess access, JobDirectory dirs, TimeProvider time) =>
                StreamAsync(context, store, access, dirs, time, id, JobDirectory.StdoutFile, follow ?? false))
            .WithName("GetJobStdout").WithSummary("The job's stdout; ?follow=true streams it as it grows until the job ends. A job given --stdout writes to that file instead: its path is in the GoDocker-Output-Path header (percent-encoded)")
            .Produces<string>(contentType: "text/plain").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id:long}/stderr", (long id, bool? follow, HttpContext context, IJobStore store, JobAccess access, JobDirectory dirs, TimeProvider time) =>
                StreamAsync(context, store, access, dirs, time, id, JobDirectory.StderrFile, follow ?? false))
            .WithName("GetJobStderr").WithSummary("The job's stderr; ?follow=true streams it as it grows until the job ends. A job given --stderr writes to that file instead: its path is in the GoDocker-Output-Path header (percent-encoded)")
            .Produces<string>(contentType: "text/plain").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> StreamAsync(
        HttpContext context, IJobStore store, JobAccess access, JobDirectory dirs, TimeProvider time, long id, string file, bool follow)
    {
        var cancellationToken = context.RequestAborted;
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        // A job that named its own file (--stdout/--stderr) writes there, inside its volume, where the server never reads:
        // the job directory's file is served still (it holds the shell's word when that file could not be opened), and
        // this header says where the output went, percent-encoded as a URL path is (a path may hold any character).
        if (JobView.OutputOf(job, file == JobDirectory.StdoutFile ? job.Spec.Stdout : job.Spec.Stderr) is { } elsewhere)
        {
            context.Response.Headers[OutputPathHeader] = string.Join('/', elsewhere.Split('/').Select(Uri.EscapeDataString));
        }
        // Opened once through the job directory's descriptors; a link out of it, a FIFO or a device is refused.
        var opened = dirs.Open(id, file);
        switch (opened)
        {
            case JobPath.Refused { Kind: not PathRefusal.NotFound } refusal:
                return JobFilesApi.Refuse(refusal, file);
            case JobPath.Listing:
                return JobFilesApi.Refuse(new JobPath.Refused(PathRefusal.NotRegularFile, "is a folder"), file);
            case JobPath.ArchivedFile archived:
                // Archived by retention: the job ended long ago, so following it is reading it whole.
                context.Response.ContentLength = archived.Length;
                return TypedResults.Stream(archived.Stream, "text/plain; charset=utf-8");
            case JobPath.OpenedFile output when !follow:
                // A running job writes on: serve the length announced (Content-Length), not what came since.
                return TypedResults.Stream(output.Snapshot(), "text/plain; charset=utf-8", enableRangeProcessing: true);
            case JobPath.Refused when !follow:
                return TypedResults.Text("", "text/plain; charset=utf-8");
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var buffer = new byte[64 * 1024];
        var stream = (opened as JobPath.OpenedFile)?.Stream;
        try
        {
            await context.Response.StartAsync(cancellationToken);
            var ended = job.State.IsTerminal();
            var lastCheck = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                if (stream is null)
                {
                    var later = dirs.Open(id, file);
                    if (later is JobPath.OpenedFile appeared)
                    {
                        stream = appeared.Stream;
                    }
                    else if (later is not JobPath.Refused { Kind: PathRefusal.NotFound })
                    {
                        // It appeared as something never served (a link out, a FIFO, a folder): end the stream.
                        break;
                    }
                }
                var read = stream is null ? 0 : await stream.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    continue;
                }
                if (ended)
                {
                    // Everything written before the end has been sent.
                    break;
                }
                await Task.Delay(PollInterval, time, cancellationToken);
                if (time.GetUtcNow() - lastCheck >= TimeSpan.FromMilliseconds(500))
                {
                    lastCheck = time.GetUtcNow();
                    // Ended: drain once more, then stop.
                    ended = (await store.GetAsync(id, cancellationToken))?.State.IsTerminal() ?? true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
        return Results.Empty;
    }
}
