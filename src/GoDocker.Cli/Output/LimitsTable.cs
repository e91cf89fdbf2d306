using System.Globalization;
using GoDocker.Contracts;

namespace GoDocker.Cli.Output;

/// <summary>`godocker quota show|set`: the shares, priority and quotas set per account ("-": not set, the site default applies).</summary>
internal static class LimitsTable
{
    public static Table Build(IEnumerable<AccountLimitsView> limits)
    {
        var table = new Table(
            new Column("KIND"),
            new Column("NAME", MaxWidth: 32),
            new Column("SHARES", Align.Right),
            new Column("PRIORITY", Align.Right),
            new Column("MAX-JOBS", Align.Right),
            new Column("MAX-CPUS", Align.Right),
            new Column("MAX-MEM", Align.Right),
            new Column("MAX-GPUS", Align.Right),
            new Column("MAX-CPU-H", Align.Right),
            new Column("MAX-PENDING", Align.Right));
        foreach (var l in limits)
        {
            table.Add(
                l.Kind,
                l.Name,
                l.Shares is { } shares ? UsageTable.Number(shares) : Display.None,
                Whole(l.Priority),
                Whole(l.MaxRunningJobs),
                l.MaxCpus is { } cpus ? Display.Cpus(cpus) : Display.None,
                l.MaxMemoryBytes is { } bytes ? GoDocker.Jobs.ByteSize.Format(bytes) : Display.OrNone(l.MaxMemory),
                Whole(l.MaxGpus),
                l.MaxCpuHours is { } hours ? UsageTable.Number(hours) : Display.None,
                Whole(l.MaxPendingJobs));
        }
        return table;
    }

    private static string Whole(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Display.None;
}
