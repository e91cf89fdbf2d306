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
        var pending = snapshot.Pending;
        // Each job's account, as an index into its standings: looked up once per job, not once per use.
        var userOf = new int[pending.Count];
        var projectOf = new int[pending.Count];
        var users = Standings(snapshot, j => j.Owner, r => r.Owner, snapshot.Usage.User, userOf);
        var projects = Standings(snapshot, j => j.Project, r => r.Project, snapshot.Usage.Project, projectOf);
        var largestCpus = snapshot.Nodes.Count == 0 ? 1 : Math.Max(1e-9, snapshot.Nodes.Max(n => n.Node.Capacity.Cpus));
        var maxAge = Options.MaxAge.TotalSeconds;

        var ranked = new RankedJob[pending.Count];
        var keys = new SortKey[pending.Count];
        for (var i = 0; i < ranked.Length; i++)
        {
            var job = pending[i];
            var age = maxAge <= 0 ? 1 : Math.Clamp((snapshot.Now - job.SubmittedAt).TotalSeconds / maxAge, 0, 1);
            var size = Math.Clamp(job.Request.Cpus / largestCpus, 0, 1);
            var user = users[userOf[i]];
            var project = projects[projectOf[i]];
            var factors = new PriorityFactors(
                age, user.FairShare, project.FairShare, Options.FavorSmall ? 1 - size : size,
                user.Priority, project.Priority, Options.Weights, job.PriorityAdjustment);
            ranked[i] = new RankedJob(job, factors.Total, factors);
            keys[i] = new SortKey(ranked[i].Priority, job.SubmittedAt.UtcTicks, job.Id);
        }
        Array.Sort(keys, ranked);
        return ranked;
    }

    /// <summary>
    /// The fair-share factor and the priority factor of every active account, indexed as <paramref name="accountOf"/>
    /// (filled in: the index of each pending job's account) says.
    /// </summary>
    private (double FairShare, double Priority)[] Standings(
        SchedulingSnapshot snapshot,
        Func<PendingJob, string> pendingKey,
        Func<RunningJob, string> runningKey,
        Func<string, AccountStanding> standing,
        int[] accountOf)
    {
        // Active accounts, in the order first seen (pending jobs, then running ones): decayed past usage plus what
        // their running jobs consumed so far. Sums run in that order, so they come out the same to the last bit.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var usage = new List<double>();
        for (var i = 0; i < accountOf.Length; i++)
        {
            accountOf[i] = Account(pendingKey(snapshot.Pending[i]));
        }
        foreach (var job in snapshot.Running)
        {
            var account = Account(runningKey(job));
            var consumed = JobConsumption.Of(job.Held.Cpus, job.Held.MemoryBytes, job.Held.Gpus, snapshot.Now - job.StartedAt);
            usage[account] += Options.Billing.Bill(consumed.CpuSeconds, consumed.MemoryGibSeconds, consumed.GpuSeconds);
        }
        var standings = new AccountStanding[usage.Count];
        foreach (var (key, account) in index)
        {
            var found = standings[account] = standing(key);
            if (found.Usage is { } past)
            {
                var decayed = past.At(snapshot.Now, Options.HalfLife);
                usage[account] += Options.Billing.Bill(decayed.CpuSeconds, decayed.MemoryGibSeconds, decayed.GpuSeconds);
            }
        }
        var totalUsage = usage.Sum();
        var totalShares = standings.Sum(s => Math.Max(0, s.Shares));
        var maxPriority = standings.Length == 0 ? 0 : standings.Max(s => s.Priority);
        var factors = new (double, double)[standings.Length];
        for (var account = 0; account < standings.Length; account++)
        {
            var normalizedUsage = totalUsage <= 0 ? 0 : usage[account] / totalUsage;
            var normalizedShares = totalShares <= 0 ? 0 : Math.Max(0, standings[account].Shares) / totalShares;
            var fairShare = normalizedUsage == 0 ? 1 : normalizedShares <= 0 ? 0 : Math.Pow(2, -normalizedUsage / normalizedShares);
            var priority = maxPriority <= 0 ? 0 : Math.Max(0, standings[account].Priority) / (double)maxPriority;
            factors[account] = (fairShare, priority);
        }
        return factors;

        int Account(string key)
        {
            if (!index.TryGetValue(key, out var account))
            {
                index[key] = account = usage.Count;
                usage.Add(0);
            }
            return account;
        }
    }

    /// <summary>Highest priority first, then earliest submitted, then lowest id: a total order, so the ranking is deterministic.</summary>
    private readonly record struct SortKey(double Priority, long SubmittedTicks, long Id) : IComparable<SortKey>
    {
        public int CompareTo(SortKey other)
        {
            var byPriority = other.Priority.CompareTo(Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }
            var bySubmit = SubmittedTicks.CompareTo(other.SubmittedTicks);
            return bySubmit != 0 ? bySubmit : Id.CompareTo(other.Id);
        }
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
