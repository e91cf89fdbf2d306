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

    /// <summary>Why a live job is where it is; for an ended one, how it ended (<see cref="Display.Outcome"/>).</summary>
    public static string ReasonOrExit(JobView job) =>
        job.State.IsTerminal() ? Display.Outcome(job.ExitCode, job.Reason) : job.Reason ?? "";
}
