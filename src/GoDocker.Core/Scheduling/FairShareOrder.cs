using GoDocker.Usage;

namespace GoDocker.Scheduling;

/// <summary>
/// Multifactor priority, after Slurm's priority/multifactor plugin: a weighted sum of
/// <list type="bullet">
/// <item>age — time pending, saturating at <see cref="FairShareOptions.MaxAge"/>;</item>
/// <item>fair share of the user and of the project — 2^(-U/S), U the account's share of the decayed usage of the
/// active accounts (finished jobs, decayed by the half-life, plus what running jobs consumed so far) and S its share
/// of their configured shares: 1 with no usage, 0.5 at exactly its share, towards 0 above it;</item>
/// <item>job size — cpus over the largest node's (or its complement with <see cref="FairShareOptions.FavorSmall"/>);</item>
/// <item>user and project priority — the configured priority over the largest among active accounts;</item>
/// </list>
/// plus an administrator's adjustment. "Active" accounts are those with pending or running jobs: an idle
/// account's shares do not dilute everyone else's.
/// </summary>
public sealed class FairShareOrder(FairShareOptions options) : IQueueOrder
{
    public const string PolicyName = "fairshare";
    public string Name => PolicyName;
    public FairShareOptions Options { get; } = options;

    public IReadOnlyList<RankedJob> Rank(SchedulingSnapshot snapshot)
    {
        var users = Standings(snapshot, j => j.Owner, r => r.Owner, snapshot.Usage.User);
        var projects = Standings(snapshot, j => j.Project, r => r.Project, snapshot.Usage.Project);
        var largestCpus = snapshot.Nodes.Count == 0 ? 1 : Math.Max(1e-9, snapshot.Nodes.Max(n => n.Node.Cpus));
        var maxAge = Options.MaxAge.TotalSeconds;

        var ranked = new RankedJob[snapshot.Pending.Count];
        for (var i = 0; i < ranked.Length; i++)
        {
            var job = snapshot.Pending[i];
            var age = maxAge <= 0 ? 1 : Math.Clamp((snapshot.Now - job.SubmittedAt).TotalSeconds / maxAge, 0, 1);
            var size = Math.Clamp(job.Cpus / largestCpus, 0, 1);
            var user = users.Factors[job.Owner];
            var project = projects.Factors[job.Project];
            var factors = new PriorityFactors(
                age, user.FairShare, project.FairShare, Options.FavorSmall ? 1 - size : size,
                user.Priority, project.Priority, Options.Weights, job.PriorityAdjustment);
            ranked[i] = new RankedJob(job, factors.Total, factors);
        }
        Array.Sort(ranked, static (a, b) =>
        {
            var byPriority = b.Priority.CompareTo(a.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }
            var bySubmit = a.Job.SubmittedAt.CompareTo(b.Job.SubmittedAt);
            return bySubmit != 0 ? bySubmit : a.Job.Id.CompareTo(b.Job.Id);
        });
        return ranked;
    }

    private (Dictionary<string, (double FairShare, double Priority)> Factors, int Count) Standings(
        SchedulingSnapshot snapshot,
        Func<PendingJob, string> pendingKey,
        Func<RunningJob, string> runningKey,
        Func<string, AccountStanding> standing)
    {
        // Active accounts: decayed past usage plus what their running jobs consumed so far.
        var usage = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var job in snapshot.Pending)
        {
            usage.TryAdd(pendingKey(job), 0);
        }
        foreach (var job in snapshot.Running)
        {
            var key = runningKey(job);
            var consumed = JobConsumption.Of(job.Cpus, job.MemoryBytes, job.Gpus, snapshot.Now - job.StartedAt);
            usage[key] = usage.GetValueOrDefault(key) + Options.Billing.Bill(consumed.CpuSeconds, consumed.MemoryGibSeconds, consumed.GpuSeconds);
        }
        var standings = new Dictionary<string, AccountStanding>(usage.Count, StringComparer.Ordinal);
        foreach (var key in usage.Keys)
        {
            var account = standings[key] = standing(key);
            if (account.Usage is { } past)
            {
                var decayed = past.At(snapshot.Now, Options.HalfLife);
                usage[key] += Options.Billing.Bill(decayed.CpuSeconds, decayed.MemoryGibSeconds, decayed.GpuSeconds);
            }
        }
        var totalUsage = usage.Values.Sum();
        var totalShares = standings.Values.Sum(s => Math.Max(0, s.Shares));
        var maxPriority = standings.Count == 0 ? 0 : standings.Values.Max(s => s.Priority);
        var factors = new Dictionary<string, (double, double)>(standings.Count, StringComparer.Ordinal);
        foreach (var (key, account) in standings)
        {
            var normalizedUsage = totalUsage <= 0 ? 0 : usage[key] / totalUsage;
            var normalizedShares = totalShares <= 0 ? 0 : Math.Max(0, account.Shares) / totalShares;
            var fairShare = normalizedUsage == 0 ? 1 : normalizedShares <= 0 ? 0 : Math.Pow(2, -normalizedUsage / normalizedShares);
            var priority = maxPriority <= 0 ? 0 : Math.Max(0, account.Priority) / (double)maxPriority;
            factors[key] = (fairShare, priority);
        }
        return (factors, standings.Count);
    }
}

/// <summary>Settings of the fair-share order (configuration: Scheduler:FairShare).</summary>
public sealed record FairShareOptions
{
    public PriorityWeights Weights { get; init; } = new();
    /// <summary>Age factor reaches 1 after this long pending (Slurm's PriorityMaxAge).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Past usage counts half after this long (Slurm's PriorityDecayHalfLife).</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(7);
    public bool FavorSmall { get; init; }
    public UsageBilling Billing { get; init; } = new();
}
