using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/jobs/{id}/files: list and download what is in the job directory, never anything outside it.</summary>
internal static class JobFilesApi
{
    public static void MapJobFiles(this IEndpointRouteBuilder api)
    {
        api.MapGet("/jobs/{id:long}/files", ListAsync)
            .WithName("ListJobFiles").WithSummary("List a folder of the job directory (?path=sub/dir)")
            .Produces<IReadOnlyList<FileEntry>>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id:long}/files/{**path}", DownloadAsync)
            .WithName("DownloadJobFile").WithSummary("Download a file of the job directory")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(long id, string? path, HttpContext context, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (found, refused) = await OpenAsync(id, path, context, access, dirs, cancellationToken);
        switch (found)
        {
            case null:
                return refused!;
            case JobPath.OpenedFile file:
                await file.Stream.DisposeAsync();
                return Problems.Field("path", $"'{path}' is a file; download it from /files/{path}");
            case JobPath.ArchivedFile archived:
                await archived.Stream.DisposeAsync();
                return Problems.Field("path", $"'{path}' is a file; download it from /files/{path}");
        }
        var prefix = string.IsNullOrEmpty(path) ? "" : path.Trim('/') + "/";
        var entries = ((JobPath.Listing)found).Entries
            .Select(e => new FileEntry(e.Name, prefix + e.Name, e.Kind, e.Size, e.ModifiedAt))
            .ToList();
        return TypedResults.Ok<IReadOnlyList<FileEntry>>(entries);
    }

    private static async Task<IResult> DownloadAsync(long id, string path, HttpContext context, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (found, refused) = await OpenAsync(id, path, context, access, dirs, cancellationToken);
        return found switch
        {
            null => refused!,
            // The descriptor that was checked is the one served (ranges included); the name is never opened again.
            // The job may still be writing it: the length announced is the length served.
            JobPath.OpenedFile file => TypedResults.Stream(file.Snapshot(), "application/octet-stream", file.Name, enableRangeProcessing: true),
            // From an archived directory: read from the archive as it is sent, so no ranges; the length is the entry's.
            JobPath.ArchivedFile archived => Archived(context, archived),
            _ => Problems.Field("path", $"'{path}' is a folder; list it with /files?path={path}"),
        };
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileStreamHttpResult Archived(HttpContext context, JobPath.ArchivedFile file)
    {
        context.Response.ContentLength = file.Length;
        return TypedResults.Stream(file.Stream, "application/octet-stream", file.Name);
    }

    /// <summary>The job must exist and the path open inside its directory; otherwise the refusal to return.</summary>
    private static async Task<(JobPath? Found, IResult? Refused)> OpenAsync(
        long id, string? path, HttpContext context, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return (null, refused);
        }
        var (found, removed) = Open(dirs, job, path);
        if (removed)
        {
            return (null, Problems.NotFound("Job directory removed", $"job {id}'s directory was removed (retention or purge); its record stays"));
        }
        return found is JobPath.Refused refusal ? (null, Refuse(refusal, path)) : (found, null);
    }

    /// <summary>
    /// The one way an API opens a path of a job the caller may see (here and /api/1.0's task files): through
    /// <see cref="JobDirectory.Open"/>; Removed when it is not found because retention or a purge took the directory.
    /// </summary>
    internal static (JobPath Found, bool Removed) Open(JobDirectory dirs, Job job, string? path)
    {
        var found = dirs.Open(job.Id, path);
        var removed = found is JobPath.Refused { Kind: PathRefusal.NotFound } && job.State.IsTerminal() && dirs.StateOf(job.Id) == JobDirectoryState.None;
        return (found, removed);
    }

    /// <summary>A refused path as problem details: 400 naming the path field, 403, or 404.</summary>
    internal static IResult Refuse(JobPath.Refused refusal, string? path) => refusal.Kind switch
    {
        PathRefusal.Invalid => Problems.Field("path", refusal.Reason),
        PathRefusal.OutsideJobDirectory or PathRefusal.NotRegularFile => Problems.Forbidden($"'{path}': {refusal.Reason}"),
        _ => Problems.NotFound("No such file", $"'{path}': {refusal.Reason}"),
    };
}
