using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// The quotas checked at submit (pending jobs, cpu-hours when configured to reject): configuration defaults merged
/// with what admins set per account, read from the store at most every two seconds (and at once after a change),
/// so a submit costs no extra read in the common case.
/// </summary>
public sealed class AccountLimitsCache(IJobStore store, TimeProvider time, IOptions<GoDockerOptions> options)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);
    private volatile Snapshot? current;

    public void Invalidate() => current = null;

    public async Task<Quota> ForAsync(AccountKind kind, string name, CancellationToken cancellationToken)
    {
        var snapshot = current;
        if (snapshot is null || time.GetUtcNow() - snapshot.ReadAt > MaxAge)
        {
            var all = await store.GetLimitsAsync(null, null, cancellationToken);
            current = snapshot = new Snapshot(all.ToDictionary(l => (l.Kind, l.Name), l => l.Quota), time.GetUtcNow());
        }
        var fallback = kind == AccountKind.User ? options.Value.Quotas.User.ToQuota() : options.Value.Quotas.Project.ToQuota();
        return snapshot.Quotas.TryGetValue((kind, name), out var own) ? own.Over(fallback) : fallback;
    }

    /// <summary>Why a submit of <paramref name="tasks"/> jobs is over a quota checked at submit, or null.</summary>
    public async Task<string?> RefuseSubmitAsync(string login, string project, int tasks, long userPending, CancellationToken cancellationToken)
    {
        var user = await ForAsync(AccountKind.User, login, cancellationToken);
        if (user.MaxPendingJobs is { } maxUser && userPending + tasks > maxUser)
        {
            return $"user quota: {userPending} pending jobs, at most {maxUser}; wait for some to start";
        }
        var group = await ForAsync(AccountKind.Project, project, cancellationToken);
        if (group.MaxPendingJobs is { } maxProject)
        {
            var pending = (await store.ListAsync(new JobQuery { States = [JobState.Pending], Project = project, Limit = 1 }, cancellationToken)).Total;
            if (pending + tasks > maxProject)
            {
                return $"project quota ({project}): {pending} pending jobs, at most {maxProject}; wait for some to start";
            }
        }
        if (options.Value.Quotas.OverCpuHours != OverQuotaAction.Reject)
        {
            return null; // "hold": the job waits pending, its reason names the quota
        }
        var window = options.Value.Quotas.CpuHoursWindow;
        var since = time.GetUtcNow() - window;
        if (user.MaxCpuHours is { } userHours
            && await store.CpuSecondsSinceAsync(AccountKind.User, login, since, cancellationToken) / 3600 is var usedByUser && usedByUser >= userHours)
        {
            return $"user quota: {usedByUser:0.#}/{userHours:0.#} cpu-hours used in the last {window.TotalDays:0.#} days";
        }
        if (group.MaxCpuHours is { } projectHours
            && await store.CpuSecondsSinceAsync(AccountKind.Project, project, since, cancellationToken) / 3600 is var usedByProject && usedByProject >= projectHours)
        {
            return $"project quota ({project}): {usedByProject:0.#}/{projectHours:0.#} cpu-hours used in the last {window.TotalDays:0.#} days";
        }
        return null;
    }

    private sealed record Snapshot(IReadOnlyDictionary<(AccountKind, string), Quota> Quotas, DateTimeOffset ReadAt);
}
