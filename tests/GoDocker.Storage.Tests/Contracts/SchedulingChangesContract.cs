using System.Globalization;
using System.Text;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// The scheduler's pending index, fed by <see cref="IJobStore.ReadSchedulingChangesAsync"/> (a full read, then deltas)
/// and the plans it applied, gives the cycle exactly what <see cref="IJobStore.ReadSchedulingInputAsync(CancellationToken)"/>
/// reads whole: after every step of random submits, arrays, dependencies, holds, plans, starts, ends and kills.
/// </summary>
public abstract class SchedulingChangesContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private static readonly string[] Owners = ["alice", "bob", "carol"];
    private static readonly string[] Projects = ["bio", "chem", "default"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TheIndex_GivesWhatAFullReadGives_AfterEveryStep(int seed)
    {
        var random = new Random(seed);
        var index = new PendingIndex();
        await CatchUpAsync(index, full: true);
        var ids = new List<long>();
        for (var step = 0; step < 120; step++)
        {
            var what = await StepAsync(random, ids, index);
            // Now and then a rebuild, as the scheduler does every IndexRebuildInterval.
            await CatchUpAsync(index, full: random.Next(25) == 0);
            var full = await Store.ReadSchedulingInputAsync(Ct);
            AssertSame(Describe(full), Describe(index.Input), $"step {step} ({what})");
            // The full read is a rebuild of the index: check it against the store's other reads too.
            await AssertListedAlikeAsync(full, $"step {step} ({what})");
        }
        Assert.NotEqual(0, index.PendingCount);
    }

    /// <summary>The pending and holding jobs of <paramref name="input"/> are those the store lists, as it lists them.</summary>
    private async Task AssertListedAlikeAsync(SchedulingInput input, string when)
    {
        var pending = (await Store.ListAsync(new JobQuery { States = [JobState.Pending], Limit = 10_000 }, Ct)).Items.OrderBy(j => j.Id);
        Assert.True(
            pending.Select(j => (j.Id, j.Version, j.Owner, j.Reason, j.HeldBy, j.PriorityAdjustment, j.ArrayId))
                .SequenceEqual(input.Pending.Select(p => (p.Id, p.Version, p.Owner, p.CurrentReason, p.HeldBy, p.PriorityAdjustment, p.ArrayId))),
            $"{when}: the full read's pending jobs are not those the store lists");
        var holding = (await Store.ListActiveAsync(Ct)).Where(j => j.Node is not null).OrderBy(j => j.Id);
        Assert.True(
            holding.Select(j => (j.Id, j.Owner, j.Node, j.ArrayId)).SequenceEqual(input.Running.Select(r => (r.Id, r.Owner, (string?)r.Node, r.ArrayId))),
            $"{when}: the full read's holding jobs are not those the store lists");
        foreach (var id in input.Pending.SelectMany(p => p.Dependencies).Select(d => d.JobId).Distinct())
        {
            var tasks = (await Store.ListAsync(new JobQuery { ArrayId = id, Limit = 10_000 }, Ct)).Items;
            var expected = (tasks.Count > 0 ? ArrayStatus.Of([.. tasks.Select(t => t.State)]) : null) ?? (await Store.GetAsync(id, Ct))?.State;
            JobState? read = input.DependencyStates.TryGetValue(id, out var state) ? state : null;
            Assert.True(expected == read, $"{when}: dependency {id} is {read} in the full read, {expected} in the store");
        }
        Assert.Equal(input.Pending.SelectMany(p => p.Dependencies).Select(d => d.JobId).Distinct().Count(id => input.DependencyStates.ContainsKey(id)), input.DependencyStates.Count);
    }

    [Fact]
    public async Task ADelta_CarriesOnlyTheJobsChangedSinceTheMark()
    {
        var index = new PendingIndex();
        await SubmitAsync();
        await SubmitAsync();
        await CatchUpAsync(index, full: true);
        var third = await SubmitAsync();

        var changes = await Store.ReadSchedulingChangesAsync(index.Mark, TimeSpan.FromDays(30), Ct);

        Assert.False(changes.Full);
        Assert.Equal([third.Id], changes.Jobs.Select(j => j.Id).Distinct());
    }

    [Fact]
    public async Task APlansPendingReasons_AreNotADelta_TheIndexTakesThemFromThePlan()
    {
        var index = new PendingIndex();
        var job = await SubmitAsync();
        await CatchUpAsync(index, full: true);
        var plan = new Plan([], new Dictionary<long, string> { [job.Id] = "waiting: no node fits" });
        await Store.ApplyPlanAsync(plan, Nodes, Ct);
        index.Applied(plan);

        var changes = await Store.ReadSchedulingChangesAsync(index.Mark, TimeSpan.FromDays(30), Ct);
        index.Apply(changes);

        Assert.Empty(changes.Jobs);
        Assert.Equal("waiting: no node fits", Assert.Single(index.Input.Pending).CurrentReason);
        AssertSame(Describe(await Store.ReadSchedulingInputAsync(Ct)), Describe(index.Input), "after the plan");
    }

    private async Task CatchUpAsync(PendingIndex index, bool full) =>
        index.Apply(await Store.ReadSchedulingChangesAsync(full ? null : index.Mark, TimeSpan.FromDays(30), Ct));

    /// <summary>One random move of the kinds a server makes; returns what it did.</summary>
    private async Task<string> StepAsync(Random random, List<long> ids, PendingIndex index)
    {
        var input = await Store.ReadSchedulingInputAsync(Ct);
        var owner = Owners[random.Next(Owners.Length)];
        switch (random.Next(12))
        {
            case 0 or 1 or 2:
            {
                var spec = ASpec().Cpus(0.5 + random.Next(4)).Project(Projects[random.Next(Projects.Length)]).Build();
                if (random.Next(3) == 0)
                {
                    // On a job, an array (its first task's id), or one that does not exist (yet).
                    var on = ids.Count > 0 && random.Next(4) > 0 ? ids[random.Next(ids.Count)] : (ids.Count > 0 ? ids.Max() : 0) + 1 + random.Next(3);
                    spec = spec with { Dependencies = [new Dependency((DependencyKind)random.Next(3), on)] };
                }
                if (random.Next(4) == 0)
                {
                    spec = spec with { WalltimeSeconds = 60 * (1 + random.Next(100)), Constraints = [new Constraint("disk", "ssd", random.Next(2) == 0)] };
                }
                var job = await Store.SubmitAsync(spec, owner, random.Next(8) == 0 ? "user" : null, Ct);
                ids.Add(job.Id);
                return $"submit {job.Id}";
            }
            case 3:
            {
                var spec = ASpec().Build();
                var count = 2 + random.Next(3);
                var tasks = await Store.SubmitArrayAsync(
                    [.. Enumerable.Range(1, count).Select(i => spec with { Task = new ArrayTask(i, 1, count, 1, 1 + random.Next(2)) { Count = count } })], owner, null, Ct);
                ids.AddRange(tasks.Select(t => t.Id));
                return $"array {tasks[0].Id}";
            }
            case 4 or 5 when input.Pending.Count > 0:
            {
                // A plan: some placements (the store re-checks room), new reasons for others, at times a rejection.
                var placements = input.Pending.Where(_ => random.Next(3) == 0).Take(3)
                    .Select(p => new Placement(p.Id, p.Version, random.Next(2) == 0 ? "n1" : "n2", p.Request)).ToList();
                var reasons = input.Pending.Where(p => placements.All(x => x.JobId != p.Id) && random.Next(2) == 0)
                    .ToDictionary(p => p.Id, p => $"waiting: reason {random.Next(3)}");
                var rejections = input.Pending.Where(p => placements.All(x => x.JobId != p.Id) && !reasons.ContainsKey(p.Id) && random.Next(10) == 0)
                    .Take(1).ToDictionary(p => p.Id, _ => "rejected: no node can ever fit it");
                var plan = new Plan(placements, reasons) { Rejections = rejections };
                await Store.ApplyPlanAsync(plan, Nodes, Ct);
                index.Applied(plan);
                return $"plan {placements.Count} placed, {reasons.Count} reasons, {rejections.Count} rejected";
            }
            case 6 when input.Running.Count > 0:
            {
                var job = await GetAsync(input.Running[random.Next(input.Running.Count)].Id);
                if (job.State == JobState.Scheduled && random.Next(4) > 0)
                {
                    await StartAsync(job);
                    return $"start {job.Id}";
                }
                // Pending: a requeue, which puts an older job back among the newer ones.
                var to = random.Next(4) switch { 0 => JobState.Failed, 1 => JobState.Suspended, 2 => JobState.Pending, _ => JobState.Succeeded };
                if (job.State == JobState.Scheduled && to == JobState.Suspended)
                {
                    to = JobState.Pending;
                }
                if (job.State == JobState.Suspended)
                {
                    to = JobState.Running;
                }
                Time.Advance(TimeSpan.FromMinutes(random.Next(90)));
                await Store.TransitionAsync(new JobChange(job.Id, job.Version, to, "moved", $"to {to}") { EndedAt = to.IsTerminal() ? Time.GetUtcNow() : null }, Ct);
                return $"{job.Id} to {to}";
            }
            case 7 when input.Pending.Count > 0:
            {
                var job = input.Pending[random.Next(input.Pending.Count)];
                await Store.SetHoldAsync(job.Id, job.HeldBy is null ? (random.Next(2) == 0 ? "admin" : "user") : null, "admin", Ct);
                return $"hold {job.Id}";
            }
            case 8 when input.Pending.Count > 0:
            {
                var job = input.Pending[random.Next(input.Pending.Count)];
                await Store.SetPriorityAdjustmentAsync(job.Id, random.Next(-100, 100), "admin", Ct);
                return $"priority {job.Id}";
            }
            case 9 when ids.Count > 0:
            {
                var id = ids[random.Next(ids.Count)];
                await Store.RequestStopAsync(id, new StopRequest(JobState.Killed, "killed by alice", Time.GetUtcNow()), Ct);
                return $"kill {id}";
            }
            case 10:
            {
                await Store.SetLimitsAsync(new AccountLimits(AccountKind.User, owner, 1 + random.Next(5), random.Next(10), new Quota { MaxCpus = 4 + random.Next(8) }), Ct);
                return $"limits {owner}";
            }
            default:
                Time.Advance(TimeSpan.FromMinutes(random.Next(30)));
                return "time passes";
        }
    }

    /// <summary>Fails naming the lines only one side has.</summary>
    protected static void AssertSame(string full, string indexed, string when)
    {
        if (full != indexed)
        {
            var a = full.Split('\n');
            var b = indexed.Split('\n');
            Assert.Fail($"{when}: the index differs from a full read.\nonly in the full read:\n{string.Join('\n', a.Except(b))}\nonly in the index:\n{string.Join('\n', b.Except(a))}");
        }
    }

    /// <summary>Everything the cycle reads from an input, as text (records holding lists compare by reference).</summary>
    protected static string Describe(SchedulingInput input)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        foreach (var p in input.Pending)
        {
            text.AppendLine(c, $"pending {p.Id} v{p.Version} {p.Owner} {p.Project} {p.Request} {p.SubmittedAt:O} [{p.CurrentReason}] wall={p.WalltimeSeconds} "
                + $"constraints={string.Join(',', p.Constraints)} adj={p.PriorityAdjustment} held={p.HeldBy} deps={string.Join(',', p.Dependencies)} "
                + $"array={p.ArrayId}/{p.ArrayMaxRunning} unreadable={p.Unreadable}");
        }
        foreach (var r in input.Running)
        {
            text.AppendLine(c, $"running {r.Id} {r.Owner} {r.Project} {r.Node} {r.Held} {r.StartedAt:O} wall={r.WalltimeSeconds} array={r.ArrayId}");
        }
        foreach (var (node, used) in input.UsageByNode.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"usage {node} {used}");
        }
        foreach (var (id, state) in input.DependencyStates.OrderBy(d => d.Key))
        {
            text.AppendLine(c, $"dependency {id} {state}");
        }
        foreach (var limits in input.Limits.OrderBy(l => (l.Kind, l.Name)))
        {
            text.AppendLine(c, $"limits {limits}");
        }
        foreach (var ((kind, name), usage) in input.DecayedUsage.OrderBy(d => (d.Key.Kind, d.Key.Name)))
        {
            text.AppendLine(c, $"decayed {kind} {name} {usage}");
        }
        foreach (var (name, priority) in input.ProjectPriorities.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"project {name} {priority}");
        }
        foreach (var (name, seconds) in input.UserWindowCpuSeconds.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"user window {name} {seconds:R}");
        }
        foreach (var (name, seconds) in input.ProjectWindowCpuSeconds.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"project window {name} {seconds:R}");
        }
        return text.ToString();
    }
}
