using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>A job's sampled usage as `show` and `top` print it: cpu as cores (and percent of one core, as docker stats), sizes in binary units.</summary>
internal static class UsageFigures
{
    /// <summary>The "Label: value" lines `show` adds for the usage of the job's attempt; none when nothing was sampled.</summary>
    public static IReadOnlyList<(string Label, string Value)> Fields(JobUsageView usage, TimeZoneInfo? zone = null)
    {
        if (usage.Summary is not { } summary)
        {
            return [];
        }
        var fields = new List<(string, string)>
        {
            ("Cpu time", Seconds(summary.CpuSeconds) + (summary.AverageCpu is { } average ? $" (average {Cores(average)} cpus)" : "")),
            ("Max RSS", $"{ByteSize.Format(summary.MaxRssBytes)} of {ByteSize.Format(usage.MemoryLimitBytes)}"),
            ("Max pids", summary.MaxPids.ToString(CultureInfo.InvariantCulture)),
            ("Block IO", $"{ByteSize.Format(summary.BlockReadBytes)} read, {ByteSize.Format(summary.BlockWriteBytes)} written"),
            ("Network IO", $"{ByteSize.Format(summary.NetworkReceivedBytes)} received, {ByteSize.Format(summary.NetworkSentBytes)} sent"),
            ("Samples", $"{summary.Samples.ToString(CultureInfo.InvariantCulture)} of attempt {summary.Attempt.ToString(CultureInfo.InvariantCulture)}, last {Display.Time(summary.LastSampleAt, zone)}"),
        };
        if (usage.Live is { } live)
        {
            fields.Add(("Using now", $"{(live.CpuCores is { } cores ? Cores(cores) : "?")} cpus, {ByteSize.Format(live.RssBytes)} RSS, {live.Pids.ToString(CultureInfo.InvariantCulture)} pids"));
        }
        return fields;
    }

    /// <summary>`godocker top`'s table, one row per job, as docker stats prints it.</summary>
    public static Table Top(IEnumerable<(long Id, string Name, JobUsageView? Usage)> jobs)
    {
        var table = new Table(new Column("ID", Align.Right), new Column("NAME", MaxWidth: 24), new Column("CPU %", Align.Right),
            new Column("MEM USAGE / LIMIT"), new Column("MEM %", Align.Right), new Column("NET I/O"), new Column("BLOCK I/O"),
            new Column("PIDS", Align.Right));
        foreach (var (id, name, usage) in jobs)
        {
            var live = usage?.Live;
            var summary = usage?.Summary;
            var limit = usage?.MemoryLimitBytes ?? 0;
            table.Add(
                id.ToString(CultureInfo.InvariantCulture),
                name,
                live?.CpuCores is { } cores ? (cores * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "--",
                live is null ? "--" : $"{ByteSize.Format(live.RssBytes)} / {ByteSize.Format(limit)}",
                live is null || limit <= 0 ? "--" : (100.0 * live.RssBytes / limit).ToString("0.00", CultureInfo.InvariantCulture) + "%",
                summary is null ? "--" : $"{ByteSize.Format(summary.NetworkReceivedBytes)} / {ByteSize.Format(summary.NetworkSentBytes)}",
                summary is null ? "--" : $"{ByteSize.Format(summary.BlockReadBytes)} / {ByteSize.Format(summary.BlockWriteBytes)}",
                live?.Pids.ToString(CultureInfo.InvariantCulture) ?? "--");
        }
        return table;
    }

    private static string Cores(double cores) => cores.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) =>
        seconds < 60 ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : Walltime.Format(TimeSpan.FromSeconds(Math.Round(seconds)));
}
