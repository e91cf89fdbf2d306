using System.Diagnostics.CodeAnalysis;
using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>
/// The query string of a job list (GET /jobs and whatever else lists jobs the same way): filters, order and page,
/// limited to what the caller may see, or a 400 problem naming the bad parameter. One reading for every such endpoint.
/// </summary>
internal static class JobListQuery
{
    /// <summary>The longest job name (<see cref="JobSpecValidator"/>): a longer name filter could match nothing.</summary>
    private const int MaxNameFilterLength = 200;

    public static bool TryParse(IQueryCollection query, Caller caller, [NotNullWhen(true)] out JobQuery? parsed, [NotNullWhen(false)] out IResult? problem)
    {
        parsed = null;
        var states = new List<JobState>();
        foreach (var value in query["state"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<JobState>(value, ignoreCase: true, out var state) || !Enum.IsDefined(state))
            {
                problem = Problems.Field("state", $"'{value}' is not a state ({string.Join(", ", Enum.GetNames<JobState>())})");
                return false;
            }
            states.Add(state);
        }
        if (!JobsApi.TryInt(query["offset"], 0, 0, int.MaxValue, out var offset))
        {
            problem = Problems.Field("offset", "offset must be a whole number ≥ 0");
            return false;
        }
        if (!JobsApi.TryInt(query["limit"], 100, 1, JobsApi.MaxPageSize, out var limit))
        {
            problem = Problems.Field("limit", $"limit must be a whole number from 1 to {JobsApi.MaxPageSize}");
            return false;
        }
        if (!JobSort.TryParse(query["sort"].LastOrDefault(), out var sort))
        {
            problem = Problems.Field("sort", $"sort must be one of {string.Join(", ", JobSort.KeyNames)}, with a leading - for descending");
            return false;
        }
        var name = JobsApi.NullIfEmpty(query["name"]);
        if (name is { Length: > MaxNameFilterLength })
        {
            problem = Problems.Field("name", $"name must be at most {MaxNameFilterLength} characters (the longest job name)");
            return false;
        }
        parsed = new JobQuery
        {
            States = states,
            Owner = JobsApi.NullIfEmpty(query["owner"]),
            Project = JobsApi.NullIfEmpty(query["project"]),
            Tag = JobsApi.NullIfEmpty(query["tag"]),
            ArrayId = long.TryParse(query["array"].LastOrDefault(), out var arrayId) ? arrayId : null,
            NameContains = name,
            Sort = sort,
            Offset = offset,
            Limit = limit,
            // Everyone but admins sees their own jobs and those of the projects they manage.
            VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
        };
        problem = null;
        return true;
    }
}
