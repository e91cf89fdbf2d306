using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.Scheduling;

/// <summary>
/// May this job start now, wherever it would go? (holds, dependencies, quotas, array limits.) Contract: pure;
/// <see cref="Verdict.Unschedulable"/> keeps the job pending with the reason; <see cref="Verdict.Never"/> ends it
/// Rejected (a condition that can never be met). The ledger counts what runs, including this cycle's placements.
/// </summary>
public interface IAdmission
{
    string Name { get; }
    Verdict Admit(PendingJob job, CycleLedger ledger);
}

/// <summary>
/// What runs per user, project and array during one cycle: the snapshot's running jobs plus the cycle's placements,
/// so a quota is never exceeded by jobs placed in the same cycle.
/// </summary>
public sealed class CycleLedger
{
    private readonly Dictionary<string, Holding> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Holding> projects = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> arrays = [];

    public CycleLedger(SchedulingSnapshot snapshot)
    {
        Snapshot = snapshot;
        foreach (var job in snapshot.Running)
        {
            Count(job.Owner, job.Project, job.ArrayId, job.Held);
        }
    }

    public SchedulingSnapshot Snapshot { get; }

    public Holding User(string login) => users.GetValueOrDefault(login) ?? Holding.None;

    public Holding Project(string project) => projects.GetValueOrDefault(project) ?? Holding.None;

    public int ArrayRunning(long arrayId) => arrays.GetValueOrDefault(arrayId);

    /// <summary>Counts a job the cycle placed.</summary>
    public void Add(PendingJob job) => Count(job.Owner, job.Project, job.ArrayId, job.Request);

    private void Count(string owner, string project, long? arrayId, Resources held)
    {
        users[owner] = User(owner).Plus(held);
        projects[project] = Project(project).Plus(held);
        if (arrayId is { } array)
        {
            arrays[array] = ArrayRunning(array) + 1;
        }
    }
}

/// <summary>A held job waits until released.</summary>
public sealed class HoldAdmission : IAdmission
{
    public string Name => "hold";

    public Verdict Admit(PendingJob job, CycleLedger ledger) =>
        job.HeldBy is { } by ? Verdict.Unschedulable($"held by {by} (godocker release {job.Id.ToString(CultureInfo.InvariantCulture)})") : Verdict.Ok;
}

/// <summary>Every dependency must be met; one that can never be met rejects the job.</summary>
public sealed class DependencyAdmission : IAdmission
{
    public string Name => "dependencies";

    public Verdict Admit(PendingJob job, CycleLedger ledger)
    {
        string? waiting = null;
        foreach (var dependency in job.Dependencies)
        {
            JobState? state = ledger.Snapshot.DependencyStates.TryGetValue(dependency.JobId, out var known) ? known : null;
            switch (dependency.Evaluate(state))
            {
                case DependencyStatus.Never:
                    return Verdict.Never(state is null
                        ? $"dependency never satisfied: {dependency} (no such job)"
                        : $"dependency never satisfied: {dependency} (job {dependency.JobId.ToString(CultureInfo.InvariantCulture)} ended {state})");
                case DependencyStatus.Waiting:
                    waiting ??= $"dependency {dependency} not satisfied yet (job {dependency.JobId.ToString(CultureInfo.InvariantCulture)} is {state})";
                    break;
            }
        }
        return waiting is null ? Verdict.Ok : Verdict.Unschedulable(waiting);
    }
}

/// <summary>User and project quotas: running jobs, cpus, memory, gpus, and cpu-hours over the rolling window.</summary>
public sealed class QuotaAdmission : IAdmission
{
    public string Name => "quotas";

    public Verdict Admit(PendingJob job, CycleLedger ledger)
    {
        var book = ledger.Snapshot.Quotas;
        if (ReferenceEquals(book, QuotaBook.None))
        {
            return Verdict.Ok;
        }
        var userQuota = book.ForUser(job.Owner);
        if (ledger.User(job.Owner).Exceeds(userQuota, job.Request) is { } user)
        {
            return Verdict.Unschedulable($"user quota: {user}");
        }
        var projectQuota = book.ForProject(job.Project);
        if (ledger.Project(job.Project).Exceeds(projectQuota, job.Request) is { } project)
        {
            return Verdict.Unschedulable($"project quota ({job.Project}): {project}");
        }
        if (CpuHours(userQuota, book.UserCpuHours.GetValueOrDefault(job.Owner), book.CpuHoursWindow) is { } userHours)
        {
            return Verdict.Unschedulable($"user quota: {userHours}");
        }
        if (CpuHours(projectQuota, book.ProjectCpuHours.GetValueOrDefault(job.Project), book.CpuHoursWindow) is { } projectHours)
        {
            return Verdict.Unschedulable($"project quota ({job.Project}): {projectHours}");
        }
        return Verdict.Ok;
    }

    private static string? CpuHours(Quota quota, double used, TimeSpan window) =>
        quota.MaxCpuHours is { } max && used >= max
            ? string.Create(CultureInfo.InvariantCulture, $"{used:0.#}/{max:0.#} cpu-hours used in the last {window.TotalDays:0.#} days")
            : null;
}

/// <summary>An array's %N: at most N of its tasks hold resources at once.</summary>
public sealed class ArrayLimitAdmission : IAdmission
{
    public string Name => "array-limit";

    public Verdict Admit(PendingJob job, CycleLedger ledger) =>
        job is { ArrayId: { } array, ArrayMaxRunning: { } max } && ledger.ArrayRunning(array) >= max
            ? Verdict.Unschedulable($"array {array.ToString(CultureInfo.InvariantCulture)}: {ledger.ArrayRunning(array)}/{max} tasks running (%{max})")
            : Verdict.Ok;
}
