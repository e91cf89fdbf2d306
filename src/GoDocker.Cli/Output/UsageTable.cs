using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>`godocker usage`, as sshare: each user's and project's shares, usage, what it runs and waits for, and its quota.</summary>
internal static class UsageTable
{
    public static Table Build(IEnumerable<AccountUsageView> accounts)
    {
        var table = new Table(
            new Column("KIND"),
            new Column("NAME", MaxWidth: 32),
            new Column("SHARES", Align.Right),
            new Column("DECAYED-CPU-H", Align.Right),
            new Column("WINDOW-CPU-H", Align.Right),
            new Column("RUNNING(JOBS/CPUS/MEM/GPUS)", Align.Right),
            new Column("PENDING", Align.Right),
            new Column("QUOTA"),
            new Column("JOB-DIRS(PRESENT/ARCHIVED)", Align.Right));
        foreach (var a in accounts)
        {
            table.Add(
                a.Kind,
                a.Name,
                Number(a.Shares),
                Hours(a.DecayedCpuHours),
                Hours(a.WindowCpuHours),
                $"{a.RunningJobs.ToString(CultureInfo.InvariantCulture)}/{Display.Cpus(a.RunningCpus)}/{CompactSize(a.RunningMemoryBytes)}/{a.RunningGpus.ToString(CultureInfo.InvariantCulture)}",
                a.PendingJobs.ToString(CultureInfo.InvariantCulture),
                QuotaSummary(a.Quota),
                a.JobDirectories is { } dirs
                    ? $"{dirs.Present.ToString(CultureInfo.InvariantCulture)}:{CompactSize(dirs.PresentBytes)}/{dirs.Archived.ToString(CultureInfo.InvariantCulture)}:{CompactSize(dirs.ArchivedBytes)}"
                    : Display.None);
        }
        return table;
    }

    /// <summary>The limits in force, in one cell: "jobs=4,cpus=16,mem=64GiB,cpu-h=1000"; "-" when there are none.</summary>
    public static string QuotaSummary(AccountLimitsView? quota)
    {
        if (quota is null)
        {
            return Display.None;
        }
        var parts = new List<string>();
        Add("jobs", quota.MaxRunningJobs?.ToString(CultureInfo.InvariantCulture));
        Add("cpus", quota.MaxCpus is { } cpus ? Display.Cpus(cpus) : null);
        Add("mem", quota.MaxMemoryBytes is { } bytes ? CompactSize(bytes) : quota.MaxMemory);
        Add("gpus", quota.MaxGpus?.ToString(CultureInfo.InvariantCulture));
        Add("cpu-h", quota.MaxCpuHours is { } hours ? Number(hours) : null);
        Add("pending", quota.MaxPendingJobs?.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? Display.None : string.Join(',', parts);

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add(name + "=" + value);
            }
        }
    }

    /// <summary>"64GiB": a size without its space, to sit inside a slash- or comma-separated cell.</summary>
    public static string CompactSize(long bytes) => ByteSize.Format(bytes).Replace(" ", "", StringComparison.Ordinal);

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Hours(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
