using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>The `godocker jobs` listing, one job per row, like squeue.</summary>
internal static class JobTable
{
    public static Table Build(IEnumerable<JobView> jobs, TimeZoneInfo? zone = null)
    {
        var table = new Table(
            new Column("ID", Align.Right),
            new Column("NAME", MaxWidth: 32),
            new Column("OWNER", MaxWidth: 16),
            new Column("PROJECT", MaxWidth: 16),
            new Column("STATE"),
            new Column("NODE"),
            new Column("CPUS", Align.Right),
            new Column("MEM", Align.Right),
            new Column("SUBMITTED"),
            new Column("REASON"));
        foreach (var job in jobs)
        {
            table.Add(
                job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                job.Name,
                job.Owner,
                job.Project,
                job.State.ToString(),
                Display.OrNone(job.Node),
                Display.Cpus(job.Cpus),
                ByteSize.Format(job.MemoryBytes),
                Display.Time(job.SubmittedAt, zone),
                ReasonOrExit(job));
        }
        return table;
    }

    /// <summary>Why a live job is where it is; for an ended one, its exit code first ("exit 3: out of memory").</summary>
    public static string ReasonOrExit(JobView job)
    {
        if (job.State.IsTerminal() && job.ExitCode is { } code)
        {
            return string.IsNullOrEmpty(job.Reason) ? $"exit {code}" : $"exit {code}: {job.Reason}";
        }
        return job.Reason ?? "";
    }
}
