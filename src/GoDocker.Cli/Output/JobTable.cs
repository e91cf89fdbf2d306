using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>
/// The `godocker jobs` listing, one job per row, like squeue. A TASK column ("12_3": array 12, task 3) appears when
/// any job listed is an array task.
/// </summary>
internal static class JobTable
{
    public static Table Build(IEnumerable<JobView> jobs, TimeZoneInfo? zone = null) => Build(jobs, pending: false, zone);

    /// <summary>
    /// Pending jobs, as squeue --start: when each is expected to start (where the scheduler has reserved resources for
    /// it) and why it waits, instead of the state and node every such row would repeat.
    /// </summary>
    public static Table BuildPending(IEnumerable<JobView> jobs, TimeZoneInfo? zone = null) => Build(jobs, pending: true, zone);

    private static Table Build(IEnumerable<JobView> jobs, bool pending, TimeZoneInfo? zone)
    {
        var list = jobs as IReadOnlyList<JobView> ?? jobs.ToList();
        var tasks = list.Any(j => j.ArrayId is not null);
        var columns = new List<Column> { new("ID", Align.Right) };
        if (tasks)
        {
            columns.Add(new Column("TASK"));
        }
        columns.AddRange([new Column("NAME", MaxWidth: 32), new Column("OWNER", MaxWidth: 16), new Column("PROJECT", MaxWidth: 16)]);
        if (!pending)
        {
            columns.AddRange([new Column("STATE"), new Column("NODE")]);
        }
        columns.AddRange([new Column("CPUS", Align.Right), new Column("MEM", Align.Right), new Column("SUBMITTED")]);
        if (pending)
        {
            columns.Add(new Column("EXPECTED START"));
        }
        columns.Add(new Column("REASON"));

        var table = new Table([.. columns]);
        foreach (var job in list)
        {
            var cells = new List<string?> { job.Id.ToString(CultureInfo.InvariantCulture) };
            if (tasks)
            {
                cells.Add(Task(job));
            }
            cells.AddRange([job.Name, job.Owner, job.Project]);
            if (!pending)
            {
                cells.AddRange([job.State.ToString(), Display.OrNone(job.Node)]);
            }
            cells.AddRange([Display.Cpus(job.Cpus), ByteSize.Format(job.MemoryBytes), Display.Time(job.SubmittedAt, zone)]);
            if (pending)
            {
                cells.Add(Display.Time(job.ExpectedStart, zone));
            }
            cells.Add(ReasonOrExit(job));
            table.Add([.. cells]);
        }
        return table;
    }

    /// <summary>"12_3" for task 3 of array 12, as Slurm writes it; "-" for a job that is not an array task.</summary>
    public static string Task(JobView job) =>
        job is { ArrayId: { } array, TaskId: { } task }
            ? array.ToString(CultureInfo.InvariantCulture) + "_" + task.ToString(CultureInfo.InvariantCulture)
            : Display.None;

    /// <summary>Why a live job is where it is; for an ended one, how it ended (<see cref="Display.Outcome"/>).</summary>
    public static string ReasonOrExit(JobView job) =>
        job.State.IsTerminal() ? Display.Outcome(job.ExitCode, job.Reason) : job.Reason ?? "";
}
