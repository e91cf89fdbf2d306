using GoDocker.Cli.Api;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Scripting;

/// <summary>
/// Which jobs `godocker kill -u/-n/--tag` stops, as scancel's filters: every unfinished job the caller may see whose
/// owner, exact name and tag match all that were given.
/// </summary>
internal sealed record KillFilter
{
    public string? User { get; init; }
    /// <summary>The whole name, as scancel -n: the API's name filter is a substring, so the match is finished here.</summary>
    public string? Name { get; init; }
    public string? Tag { get; init; }

    public bool IsEmpty => User is null && Name is null && Tag is null;

    /// <summary>The states a kill can still act on.</summary>
    public static IReadOnlyList<JobState> Unfinished { get; } = [JobState.Pending, JobState.Scheduled, JobState.Running, JobState.Suspended];

    public const int PageSize = 1000;

    public JobQuery Query(int offset) => new()
    {
        States = Unfinished,
        Owner = User,
        Tag = Tag,
        NameContains = Name,
        Sort = GoDocker.Storage.JobSort.Default,
        Offset = offset,
        Limit = PageSize,
    };

    public bool Matches(JobView job) =>
        !job.State.IsTerminal()
        && (User is null || job.Owner == User)
        && (Name is null || job.Name == Name)
        && (Tag is null || job.Tags.Contains(Tag, StringComparer.Ordinal));

    /// <summary>
    /// Every matching job, read page by page before any is killed: a kill changes what the list holds, so paging while
    /// killing could skip jobs. A job that ends between the listing and its kill is refused by the server, and said so.
    /// </summary>
    public async Task<ApiResult<List<JobView>>> FindAsync(GoDockerClient client, CancellationToken cancellationToken)
    {
        var found = new List<JobView>();
        for (var offset = 0; ; offset += PageSize)
        {
            var page = await client.ListJobsAsync(Query(offset), cancellationToken);
            if (!page.IsOk)
            {
                return ApiResult<List<JobView>>.Refused(page.Problem);
            }
            found.AddRange(page.Value.Items.Where(Matches));
            if (page.Value.Items.Count < PageSize || offset + page.Value.Items.Count >= page.Value.Total)
            {
                return ApiResult<List<JobView>>.Ok(found);
            }
        }
    }
}
