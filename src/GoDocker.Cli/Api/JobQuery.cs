using GoDocker.Jobs;

namespace GoDocker.Cli.Api;

/// <summary>The filters of GET /api/v1/jobs. Empty <see cref="States"/> means every state.</summary>
internal sealed record JobQuery
{
    public IReadOnlyList<JobState> States { get; init; } = [];
    public string? Owner { get; init; }
    public string? Project { get; init; }
    public string? Tag { get; init; }
    /// <summary>Only the tasks of this array.</summary>
    public long? ArrayId { get; init; }
    /// <summary>Only jobs whose name holds this text (ASCII letters in either case).</summary>
    public string? NameContains { get; init; }
    /// <summary>The order; null is the server's (oldest first).</summary>
    public GoDocker.Storage.JobSort? Sort { get; init; }
    public int? Offset { get; init; }
    public int? Limit { get; init; }

    public string ToQueryString()
    {
        var parts = new List<string>();
        foreach (var state in States)
        {
            parts.Add("state=" + state);
        }
        Add("owner", Owner);
        Add("project", Project);
        Add("tag", Tag);
        Add("array", ArrayId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("name", NameContains);
        Add("sort", Sort?.ToString());
        Add("offset", Offset?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("limit", Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }
    }
}
