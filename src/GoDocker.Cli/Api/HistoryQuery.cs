using System.Globalization;
using GoDocker.Usage;

namespace GoDocker.Cli.Api;

/// <summary>The filters of GET /api/v1/accounting; empty lists mean no filter.</summary>
internal sealed record HistoryQuery
{
    public string? User { get; init; }
    public string? Project { get; init; }
    public IReadOnlyList<AccountedState> States { get; init; } = [];
    public IReadOnlyList<long> Jobs { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public int? Offset { get; init; }
    public int? Limit { get; init; }

    public string ToQueryString()
    {
        var parts = new List<string>();
        Add("user", User);
        Add("project", Project);
        foreach (var state in States)
        {
            parts.Add("state=" + state);
        }
        if (Jobs.Count > 0)
        {
            parts.Add("job=" + string.Join(',', Jobs.Select(j => j.ToString(CultureInfo.InvariantCulture))));
        }
        Add("since", Since?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Add("until", Until?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Add("offset", Offset?.ToString(CultureInfo.InvariantCulture));
        Add("limit", Limit?.ToString(CultureInfo.InvariantCulture));
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
