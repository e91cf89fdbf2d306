using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// The fair-share and quota standing of users and projects, as the scheduler weighs them (Slurm's sshare): decayed
/// usage, shares and priority, cpu-hours in the quota window, what runs and waits now. Everyone sees their own and
/// their projects'; administrators see everyone's.
/// </summary>
public sealed class UsageReport(IJobStore store, TimeProvider time, IOptions<GoDockerOptions> options, KeptDirectoryTotals? keptDirectories = null)
{
    /// <summary>
    /// Every account the caller may see, users then projects, by name; only <paramref name="user"/> and
    /// <paramref name="project"/> when either is given, refused when the caller may not see one of them.
    /// </summary>
    public async Task<UsageOutcome> ForAsync(Caller caller, string? user, string? project, CancellationToken cancellationToken)
    {
        if (user is not null && !MaySee(caller, AccountKind.User, user) || project is not null && !MaySee(caller, AccountKind.Project, project))
        {
            return new UsageOutcome.NotYours();
        }
        var settings = options.Value;
        var input = await store.ReadSchedulingInputAsync(settings.Quotas.CpuHoursWindow, cancellationToken);
        var now = time.GetUtcNow();
        var standings = SchedulerService.Standings(input, settings.Scheduler.FairShare.DefaultShares);
        var quotas = SchedulerService.Quotas(input, settings.Quotas, now);
        var kept = keptDirectories is null ? new Dictionary<string, KeptDirectoriesView>() : await keptDirectories.ByUserAsync(cancellationToken);
        var names = new SortedSet<(AccountKind Kind, string Name)>();
        foreach (var name in standings.Users.Keys.Concat(input.Pending.Select(p => p.Owner)).Concat(input.Running.Select(r => r.Owner)).Concat(quotas.UserCpuHours.Keys).Concat(kept.Keys))
        {
            names.Add((AccountKind.User, name));
        }
        foreach (var name in standings.Projects.Keys.Concat(input.Pending.Select(p => p.Project)).Concat(input.Running.Select(r => r.Project)).Concat(quotas.ProjectCpuHours.Keys))
        {
            names.Add((AccountKind.Project, name));
        }
        var views = new List<AccountUsageView>();
        foreach (var (kind, name) in names)
        {
            if ((user is not null || project is not null)
                && !(kind == AccountKind.User && name == user) && !(kind == AccountKind.Project && name == project))
            {
                continue;
            }
            if (!MaySee(caller, kind, name))
            {
                continue;
            }
            var isUser = kind == AccountKind.User;
            var standing = isUser ? standings.User(name) : standings.Project(name);
            var decayed = standing.Usage?.At(now, settings.Scheduler.FairShare.HalfLife);
            var running = input.Running.Where(r => (isUser ? r.Owner : r.Project) == name).ToList();
            var quota = isUser ? quotas.ForUser(name) : quotas.ForProject(name);
            var held = Resources.Sum(running.Select(r => r.Held));
            views.Add(new AccountUsageView
            {
                Kind = kind.Name(),
                Name = name,
                Shares = standing.Shares,
                Priority = standing.Priority,
                DecayedCpuHours = (decayed?.CpuSeconds ?? 0) / 3600,
                DecayedMemoryGibHours = (decayed?.MemoryGibSeconds ?? 0) / 3600,
                DecayedGpuHours = (decayed?.GpuSeconds ?? 0) / 3600,
                WindowCpuHours = (isUser ? quotas.UserCpuHours : quotas.ProjectCpuHours).GetValueOrDefault(name),
                WindowDays = quotas.CpuHoursWindow.TotalDays,
                RunningJobs = running.Count,
                RunningCpus = held.Cpus,
                RunningMemoryBytes = held.MemoryBytes,
                RunningGpus = held.Gpus,
                PendingJobs = input.Pending.Count(p => (isUser ? p.Owner : p.Project) == name),
                Quota = quota.IsUnlimited ? null : AccountLimitsView.From(kind, name, null, null, quota),
                JobDirectories = isUser ? kept.GetValueOrDefault(name) ?? new KeptDirectoriesView() : null,
            });
        }
        return new UsageOutcome.Report(views);
    }

    /// <summary>
    /// Everyone sees their own standing and their projects'; admins see everyone's. The default project is every
    /// user's: its figures are the other users' (the caller's own share is their user row), so it is for admins only.
    /// </summary>
    internal static bool MaySee(Caller caller, AccountKind kind, string name) =>
        caller.Admin || (kind == AccountKind.User ? name == caller.Login : name != Project.Default && caller.MemberOf(name));
}

/// <summary>What a usage report answered (<see cref="UsageReport"/>).</summary>
public abstract record UsageOutcome
{
    private UsageOutcome()
    {
    }

    /// <summary>The accounts asked for, as far as the caller may see them.</summary>
    public sealed record Report(IReadOnlyList<AccountUsageView> Accounts) : UsageOutcome;

    /// <summary>The caller asked for the standing of another user or of a project not theirs (or the default project's).</summary>
    public sealed record NotYours : UsageOutcome
    {
        public string Reason => "you may see your own usage and your projects' only (the default project's, which sums every user's, is for admins)";
    }
}
