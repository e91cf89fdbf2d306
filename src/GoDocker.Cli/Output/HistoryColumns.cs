using System.Globalization;
using System.Text;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>
/// One column of `godocker history`, named as sacct names it: how its cell reads in a table (human sizes and durations,
/// local times) and in csv (raw numbers: bytes, seconds, ISO 8601 UTC times). An absent value is "-" in a table, empty in csv.
/// </summary>
internal sealed record HistoryColumn(string Name, Align Align, Func<AccountingView, TimeZoneInfo?, string?> Table, Func<AccountingView, string?> Raw, string Help);

/// <summary>The columns `godocker history --format` knows, the default set, and the table and csv of records.</summary>
internal static class HistoryColumns
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Every column, in the order `--help-format` lists them.</summary>
    public static readonly IReadOnlyList<HistoryColumn> All =
    [
        new("JobID", Align.Right, (r, _) => Number(r.JobId), r => Number(r.JobId), "job id"),
        new("ArrayJobID", Align.Right, (r, _) => Number(r.ArrayId), r => Number(r.ArrayId), "the array's id (its first task's)"),
        new("JobName", Align.Left, (r, _) => r.Name, r => r.Name, "job name"),
        new("User", Align.Left, (r, _) => r.Owner, r => r.Owner, "owner"),
        new("Project", Align.Left, (r, _) => r.Project, r => r.Project, "project (sacct's Account)"),
        new("Attempt", Align.Right, (r, _) => Number(r.Attempt), r => Number(r.Attempt), "attempt (0: never placed)"),
        new("State", Align.Left, (r, _) => r.State.ToString(), r => r.State.ToString(), "Succeeded, Failed, Killed, Rejected, Requeued"),
        new("ExitCode", Align.Right, (r, _) => Number(r.ExitCode), r => Number(r.ExitCode), "exit code of the command"),
        new("Cause", Align.Left, (r, _) => r.EndCause?.ToString(), r => r.EndCause?.ToString(), "why it ended (Exited, OutOfMemory, StopRequested, NodeDown, …)"),
        new("Reason", Align.Left, (r, _) => r.Reason, r => r.Reason, "the end's sentence"),
        new("Node", Align.Left, (r, _) => r.Node, r => r.Node, "node it ran on (sacct's NodeList)"),
        new("Submit", Align.Left, (r, z) => Display.Time(r.SubmittedAt, z), r => Iso(r.SubmittedAt), "submit time"),
        new("Start", Align.Left, (r, z) => Display.Time(r.StartedAt, z), r => Iso(r.StartedAt), "start time"),
        new("End", Align.Left, (r, z) => Display.Time(r.EndedAt, z), r => Iso(r.EndedAt), "end time"),
        new("Elapsed", Align.Right, (r, _) => Duration(r.ElapsedSeconds), r => Seconds(r.ElapsedSeconds), "start to end ([D-]HH:MM:SS; seconds in csv)"),
        new("AllocCPUS", Align.Right, (r, _) => Display.Cpus(r.Cpus), r => Display.Cpus(r.Cpus), "allocated cpus"),
        new("ReqMem", Align.Right, (r, _) => ByteSize.Format(r.MemoryBytes), r => Number(r.MemoryBytes), "allocated memory (bytes in csv)"),
        new("AllocGPUS", Align.Right, (r, _) => Number(r.Gpus), r => Number(r.Gpus), "allocated gpus"),
        new("TotalCPU", Align.Right, (r, _) => Duration(r.CpuSeconds), r => Seconds(r.CpuSeconds), "measured cpu time, user + system"),
        new("AveCPU", Align.Right, (r, _) => r.AverageCpus?.ToString("0.00", Invariant), r => r.AverageCpus?.ToString("R", Invariant), "measured cpus used on average (TotalCPU / Elapsed)"),
        new("MaxRSS", Align.Right, (r, _) => Size(r.MaxRssBytes), r => Number(r.MaxRssBytes), "largest resident memory measured"),
        new("MaxPids", Align.Right, (r, _) => Number(r.MaxPids), r => Number(r.MaxPids), "most processes and threads at once"),
        new("ReadBytes", Align.Right, (r, _) => Size(r.ReadBytes), r => Number(r.ReadBytes), "read from disk (sacct's MaxDiskRead)"),
        new("WriteBytes", Align.Right, (r, _) => Size(r.WriteBytes), r => Number(r.WriteBytes), "written to disk (sacct's MaxDiskWrite)"),
        new("NetRx", Align.Right, (r, _) => Size(r.NetworkReceivedBytes), r => Number(r.NetworkReceivedBytes), "received on the network"),
        new("NetTx", Align.Right, (r, _) => Size(r.NetworkSentBytes), r => Number(r.NetworkSentBytes), "sent on the network"),
        new("Samples", Align.Right, (r, _) => Number(r.Samples), r => Number(r.Samples), "samples the measured figures come from"),
    ];

    /// <summary>sacct's other names for the same columns.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Account"] = "Project",
        ["NodeList"] = "Node",
        ["MaxDiskRead"] = "ReadBytes",
        ["MaxDiskWrite"] = "WriteBytes",
        ["Name"] = "JobName",
        ["Eligible"] = "Submit",
    };

    /// <summary>As sacct's default (JobID, JobName, Partition, Account, AllocCPUS, State, ExitCode), the partition being the user here.</summary>
    public const string Default = "JobID,JobName,User,Project,AllocCPUS,State,ExitCode";

    /// <summary>The columns of a --format list (comma-separated, any case, sacct's aliases); throws naming an unknown one.</summary>
    /// <exception cref="UsageException">when a name is no column.</exception>
    public static IReadOnlyList<HistoryColumn> Parse(string format)
    {
        var columns = new List<HistoryColumn>();
        foreach (var name in format.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var wanted = Aliases.GetValueOrDefault(name, name);
            columns.Add(All.FirstOrDefault(c => string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"--format: '{name}' is not a column ({string.Join(", ", All.Select(c => c.Name))})"));
        }
        return columns.Count > 0 ? columns : throw new UsageException("--format: name at least one column");
    }

    /// <summary>The table of records, times in <paramref name="zone"/> (the local zone when null).</summary>
    public static string Table(IReadOnlyList<AccountingView> records, IReadOnlyList<HistoryColumn> columns, TimeZoneInfo? zone = null)
    {
        var table = new Table([.. columns.Select(c => new Column(c.Name, c.Align, c.Name is "Reason" ? 60 : null))]);
        foreach (var record in records)
        {
            table.Add([.. columns.Select(c => c.Table(record, zone) is { Length: > 0 } cell ? cell : Display.None)]);
        }
        return table.Render();
    }

    /// <summary>RFC 4180: a header of the column names, one line per record, a field quoted when it holds a comma, quote or line break.</summary>
    public static string Csv(IReadOnlyList<AccountingView> records, IReadOnlyList<HistoryColumn> columns)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(c => Quoted(c.Name))).Append("\r\n");
        foreach (var record in records)
        {
            text.AppendJoin(',', columns.Select(c => Quoted(c.Raw(record) ?? ""))).Append("\r\n");
        }
        return text.ToString();
    }

    private static string Quoted(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string? Number(long? value) => value?.ToString(Invariant);

    private static string? Size(long? bytes) => bytes is { } b ? ByteSize.Format(b) : null;

    private static string? Iso(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Invariant);

    private static string? Seconds(double? seconds) => seconds?.ToString("0.###", Invariant);

    /// <summary>sacct's [D-]HH:MM:SS, whole seconds.</summary>
    internal static string? Duration(double? seconds)
    {
        if (seconds is not { } s)
        {
            return null;
        }
        var span = TimeSpan.FromSeconds(Math.Round(Math.Max(0, s)));
        var clock = string.Create(Invariant, $"{span.Hours:00}:{span.Minutes:00}:{span.Seconds:00}");
        return span.Days > 0 ? string.Create(Invariant, $"{span.Days}-{clock}") : clock;
    }
}
