using GoDocker.Contracts;
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
        var (found, refused) = await ResolveAsync(id, path, context, access, dirs, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (found is not DirectoryInfo dir)
        {
            return Problems.Field("path", $"'{path}' is a file; download it from /files/{path}");
        }
        var prefix = string.IsNullOrEmpty(path) ? "" : path.Trim('/') + "/";
        var entries = dir.EnumerateFileSystemInfos()
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => new FileEntry(
                e.Name,
                prefix + e.Name,
                e.LinkTarget is not null ? "link" : e is DirectoryInfo ? "dir" : "file",
                e is FileInfo f && e.LinkTarget is null ? f.Length : 0,
                e.LastWriteTimeUtc))
            .ToList();
        return TypedResults.Ok<IReadOnlyList<FileEntry>>(entries);
    }

    private static async Task<IResult> DownloadAsync(long id, string path, HttpContext context, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (found, refused) = await ResolveAsync(id, path, context, access, dirs, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (found is not FileInfo file)
        {
            return Problems.Field("path", $"'{path}' is a folder; list it with /files?path={path}");
        }
        return TypedResults.PhysicalFile(file.FullName, "application/octet-stream", file.Name, enableRangeProcessing: true);
    }

    /// <summary>The job must exist and the path resolve inside its directory; otherwise the refusal to return.</summary>
    private static async Task<(FileSystemInfo? Found, IResult? Refused)> ResolveAsync(
        long id, string? path, HttpContext context, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return (null, refused);
        }
        var found = dirs.Resolve(id, path, out var refusal, out var kind);
        return found is null ? (null, Refuse(kind, refusal!, path)) : (found, null);
    }

    private static IResult Refuse(PathRefusal kind, string refusal, string? path) => kind switch
    {
        PathRefusal.Invalid => Problems.Field("path", refusal),
        PathRefusal.OutsideJobDirectory => Problems.Forbidden($"'{path}': {refusal}"),
        _ => Problems.NotFound("No such file", $"'{path}': {refusal}"),
    };
}
