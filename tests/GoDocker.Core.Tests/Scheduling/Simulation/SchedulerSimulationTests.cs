using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Xunit.Abstractions;

namespace GoDocker.Core.Tests.Scheduling.Simulation;

/// <summary>
/// The cycle with fair share and backfill, run by <see cref="Simulator"/> over hours of simulated time: fairness between
/// users and projects, quotas, backfill that never delays the head, arrays and dependencies.
/// </summary>
public sealed class SchedulerSimulationTests(ITestOutputHelper output)
{
    private const long GiB = 1L << 30;
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SchedulingCycle FairShareWithBackfill(FairShareOptions? options = null) => new(
        new FairShareOrder(options ?? new FairShareOptions()),
        SchedulingCycle.StandardAdmissions,
        SchedulingCycle.StandardFilters,
        new SpreadScorer(),
        new CycleOptions { Backfill = true });

    private static NodeInfo[] Nodes(int count, double cpus, long memoryBytes) =>
        [.. Enumerable.Range(1, count).Select(i => new NodeInfo($"n{i}", new GoDocker.Jobs.Resources(cpus, memoryBytes, 0)))];

    private static TimeSpan Seconds(int value) => TimeSpan.FromSeconds(value);

    private static double Share(IEnumerable<SimJob> mine, IEnumerable<SimJob> all, DateTimeOffset from, DateTimeOffset to) =>
        mine.Sum(j => j.CpuSecondsWithin(from, to)) / all.Sum(j => j.CpuSecondsWithin(from, to));

    /// <summary>
    /// (a) alice fills 10 one-cpu slots with 1,000 jobs at t=0; bob, with equal shares, submits 100 at t=10 min. Bob's first
    /// job takes the next slot that frees, every slot after that is his until his last job has started, and over the busy
    /// period both got half the machine.
    /// </summary>
    [Fact]
    public void ALateUser_StartsAtTheNextFreeSlot_AndEqualSharesSplitTheMachineInHalf()
    {
        var random = new Random(1);
        var sim = new Simulator(FairShareWithBackfill(), Nodes(2, 5, 64 * GiB), T0);
        for (var i = 0; i < 1000; i++)
        {
            sim.Submit(new SimJobSpec("alice", "lab", 1, GiB, Seconds(random.Next(30, 91))) { Walltime = Seconds(90) }, T0);
        }
        var bobArrives = T0.AddMinutes(10);
        for (var i = 0; i < 100; i++)
        {
            sim.Submit(new SimJobSpec("bob", "lab", 1, GiB, Seconds(60)) { Walltime = Seconds(60) }, bobArrives);
        }

        sim.Run(T0.AddDays(1));

        Assert.All(sim.Jobs, j => Assert.Equal(JobState.Succeeded, j.State));
        var alice = sim.Jobs.Where(j => j.Spec.Owner == "alice").ToList();
        var bob = sim.Jobs.Where(j => j.Spec.Owner == "bob").ToList();
        var nextFreeSlot = sim.Jobs.Where(j => j.EndedAt >= bobArrives).Min(j => j.EndedAt!.Value);
        var bobFirst = bob.Min(j => j.StartedAt!.Value);
        var bobLastStart = bob.Max(j => j.StartedAt!.Value);
        var busyEnd = bob.Max(j => j.EndedAt!.Value);
        var aliceShare = Share(alice, sim.Jobs, T0, busyEnd);
        output.WriteLine($"bob arrives {bobArrives:HH:mm:ss}, next free slot {nextFreeSlot:HH:mm:ss}, bob's first start {bobFirst:HH:mm:ss}, "
            + $"last start {bobLastStart:HH:mm:ss}, last end {busyEnd:HH:mm:ss}; cpu-time over [0, {busyEnd:HH:mm:ss}]: "
            + $"alice {aliceShare:P1}, bob {1 - aliceShare:P1}; {sim.Cycles} cycles");

        Assert.Equal(nextFreeSlot, bobFirst);
        // No bob job waited behind alice's backlog: alice started nothing new from bob's arrival until his last start.
        Assert.DoesNotContain(alice, j => j.StartedAt >= bobArrives && j.StartedAt < bobLastStart);
        Assert.InRange(aliceShare, 0.45, 0.55);
    }

    /// <summary>
    /// (b) Projects with shares 70 and 30, two users each (user shares in proportion), all submitting far more identical
    /// jobs than the machine runs: after a 10-minute warm-up the projects' cpu-time is 70/30.
    /// </summary>
    [Fact]
    public void TwoProjectsWithShares70And30_ConvergeTo70And30()
    {
        var random = new Random(2);
        var sim = new Simulator(FairShareWithBackfill(new FairShareOptions { HalfLife = TimeSpan.FromHours(2) }), Nodes(2, 5, 64 * GiB), T0)
        {
            HalfLife = TimeSpan.FromHours(2),
            ProjectStandings = new Dictionary<string, AccountStanding> { ["p70"] = new(70, 0, null), ["p30"] = new(30, 0, null) },
            UserStandings = new Dictionary<string, AccountStanding>
            {
                ["a1"] = new(35, 0, null), ["a2"] = new(35, 0, null), ["b1"] = new(15, 0, null), ["b2"] = new(15, 0, null),
            },
        };
        foreach (var (user, project) in new[] { ("a1", "p70"), ("a2", "p70"), ("b1", "p30"), ("b2", "p30") })
        {
            for (var i = 0; i < 400; i++)
            {
                sim.Submit(new SimJobSpec(user, project, 1, GiB, Seconds(random.Next(30, 91))) { Walltime = Seconds(90) }, T0);
            }
        }

        var end = T0.AddHours(1);
        sim.Run(end);

        var warmedUp = T0.AddMinutes(10);
        var p70 = Share(sim.Jobs.Where(j => j.Spec.Project == "p70"), sim.Jobs, warmedUp, end);
        var fromStart = Share(sim.Jobs.Where(j => j.Spec.Project == "p70"), sim.Jobs, T0, end);
        var a1 = Share(sim.Jobs.Where(j => j.Spec.Owner == "a1"), sim.Jobs, warmedUp, end);
        var b1 = Share(sim.Jobs.Where(j => j.Spec.Owner == "b1"), sim.Jobs, warmedUp, end);
        output.WriteLine($"cpu-time over [10 min, 60 min]: p70 {p70:P1}, p30 {1 - p70:P1} (from t=0: p70 {fromStart:P1}); "
            + $"a1 {a1:P1}, b1 {b1:P1}; {sim.Jobs.Count(j => j.StartedAt is not null)} jobs started, {sim.Cycles} cycles");

        Assert.True(sim.PendingJobs.Count > 0 && sim.PendingJobs.Select(j => j.Spec.Project).Distinct().Count() == 2, "both projects must still have work waiting");
        Assert.InRange(p70, 0.65, 0.75);
        // Within each project, its two users split its part evenly.
        Assert.InRange(a1, 0.30, 0.40);
        Assert.InRange(b1, 0.10, 0.20);
    }

    /// <summary>(c) User and project quotas on running jobs, cpus and memory hold at every instant, and do bind.</summary>
    [Fact]
    public void Quotas_AreNeverExceeded_AtAnyInstant()
    {
        var quotas = new QuotaBook
        {
            UserDefault = new Quota { MaxRunningJobs = 4, MaxCpus = 6, MaxMemoryBytes = 12 * GiB },
            Users = new Dictionary<string, Quota> { ["u1"] = new() { MaxRunningJobs = 2 } },
            ProjectDefault = new Quota { MaxCpus = 10 },
            Projects = new Dictionary<string, Quota> { ["p2"] = new() { MaxMemoryBytes = 16 * GiB, MaxRunningJobs = 6 } },
        };
        var random = new Random(3);
        var checks = 0;
        var peaks = new Dictionary<string, (int Jobs, double Cpus, long Memory)>();
        var blockedBy = new HashSet<string>();
        Simulator sim = null!;
        sim = new Simulator(FairShareWithBackfill(), Nodes(3, 16, 64 * GiB), T0)
        {
            Quotas = quotas,
            AfterCycle = (_, plan) =>
            {
                foreach (var reason in plan.PendingReasons.Values.Where(r => r.Contains("quota", StringComparison.Ordinal)))
                {
                    var limit = reason.Contains("jobs running", StringComparison.Ordinal) ? "jobs"
                        : reason.Contains("cpus running", StringComparison.Ordinal) ? "cpus"
                        : reason.Contains("memory running", StringComparison.Ordinal) ? "memory" : reason;
                    blockedBy.Add($"{reason[..reason.IndexOf(':', StringComparison.Ordinal)]} {limit}");
                }
            },
            AfterEvent = () =>
            {
                checks++;
                foreach (var (name, quota, holds) in sim.RunningJobs.GroupBy(j => j.Spec.Owner).Select(g => ("user " + g.Key, quotas.ForUser(g.Key), g.ToList()))
                    .Concat(sim.RunningJobs.GroupBy(j => j.Spec.Project).Select(g => ("project " + g.Key, quotas.ForProject(g.Key), g.ToList()))))
                {
                    var (jobs, cpus, memory) = (holds.Count, holds.Sum(j => j.Spec.Cpus), holds.Sum(j => j.Spec.MemoryBytes));
                    Assert.True(quota.MaxRunningJobs is not { } maxJobs || jobs <= maxJobs, $"{sim.Now:HH:mm:ss} {name}: {jobs} jobs running, quota {quota.MaxRunningJobs}");
                    Assert.True(quota.MaxCpus is not { } maxCpus || cpus <= maxCpus + 1e-9, $"{sim.Now:HH:mm:ss} {name}: {cpus} cpus running, quota {quota.MaxCpus}");
                    Assert.True(quota.MaxMemoryBytes is not { } maxMemory || memory <= maxMemory, $"{sim.Now:HH:mm:ss} {name}: {memory} bytes running, quota {quota.MaxMemoryBytes}");
                    var peak = peaks.GetValueOrDefault(name);
                    peaks[name] = (Math.Max(peak.Jobs, jobs), Math.Max(peak.Cpus, cpus), Math.Max(peak.Memory, memory));
                }
            },
        };
        double[] cpuSizes = [0.5, 1, 2, 3];
        long[] memorySizes = [GiB, 2 * GiB, 4 * GiB, 6 * GiB];
        foreach (var (user, project) in new[] { ("u1", "p1"), ("u2", "p1"), ("u3", "p2"), ("u4", "p2") })
        {
            for (var i = 0; i < 50; i++)
            {
                var runtime = Seconds(random.Next(20, 301));
                sim.Submit(new SimJobSpec(user, project, cpuSizes[random.Next(4)], memorySizes[random.Next(4)], runtime)
                {
                    Walltime = runtime + Seconds(random.Next(0, 120)),
                }, T0.AddSeconds(random.Next(0, 301)));
            }
        }

        sim.Run(T0.AddDays(1));

        output.WriteLine($"{checks} instants checked; peaks: {string.Join("; ", peaks.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value.Jobs} jobs/{p.Value.Cpus} cpus/{p.Value.Memory / GiB} GiB"))}");
        output.WriteLine($"kept pending by: {string.Join(", ", blockedBy.Order())}");
        Assert.All(sim.Jobs, j => Assert.Equal(JobState.Succeeded, j.State));
        // The quotas bound: each kind of limit kept some job waiting, and u1 ran at her limit of 2.
        Assert.Equal(2, peaks["user u1"].Jobs);
        Assert.Contains("user quota jobs", blockedBy);
        Assert.Contains("user quota cpus", blockedBy);
        Assert.Contains("user quota memory", blockedBy);
        Assert.Contains("project quota (p1) cpus", blockedBy);
        Assert.True(blockedBy.Contains("project quota (p2) memory") || blockedBy.Contains("project quota (p2) jobs"), "p2's own quota never bound");
        Assert.True(checks > 300, $"only {checks} instants checked");
    }

    /// <summary>
    /// (d) Backfill never delays the head: the start the first waiting job is promised when it first gets a reservation
    /// is kept (jobs end at their walltime or earlier), while smaller jobs start around it.
    /// </summary>
    [Fact]
    public void Backfill_NeverDelaysTheHeadJob()
    {
        var random = new Random(4);
        var promised = new Dictionary<long, DateTimeOffset>();
        var latestPromise = new Dictionary<long, DateTimeOffset>();
        var backfilled = 0;
        var sim = new Simulator(FairShareWithBackfill(), Nodes(2, 8, 32 * GiB), T0)
        {
            CycleInterval = TimeSpan.FromMinutes(1),
            AfterCycle = (_, plan) =>
            {
                var placed = plan.Placements.Select(p => p.JobId).ToHashSet();
                var head = plan.Ranking.Select(r => r.Job.Id).FirstOrDefault(id => !placed.Contains(id) && !plan.Rejections.ContainsKey(id), -1);
                if (head < 0 || !plan.ExpectedStarts.TryGetValue(head, out var start))
                {
                    return;
                }
                promised.TryAdd(head, start);
                latestPromise[head] = start;
                backfilled += plan.Ranking.SkipWhile(r => r.Job.Id != head).Count(r => placed.Contains(r.Job.Id));
            },
        };
        for (var i = 0; i < 240; i++)
        {
            var big = random.Next(5) == 0;
            var walltime = TimeSpan.FromMinutes(big ? random.Next(10, 41) : random.Next(2, 31));
            var runtime = random.Next(2) == 0 ? walltime : walltime * (0.3 + 0.7 * random.NextDouble());
            sim.Submit(new SimJobSpec("alice", "lab", big ? random.Next(6, 9) : random.Next(1, 3), GiB, runtime) { Walltime = walltime },
                T0.AddSeconds(random.Next(0, 3 * 3600)));
        }

        sim.Run(T0.AddDays(2));

        Assert.All(sim.Jobs, j => Assert.Equal(JobState.Succeeded, j.State));
        var margins = promised.Select(p => (p.Value - sim.Job(p.Key).StartedAt!.Value).TotalMinutes).ToList();
        output.WriteLine($"{promised.Count} heads promised a start, {backfilled} jobs backfilled around them; "
            + $"started on average {margins.Average():0.0} min before the promise (min {margins.Min():0.0}); {sim.Cycles} cycles");
        foreach (var (id, start) in promised)
        {
            var job = sim.Job(id);
            Assert.True(job.StartedAt <= start, $"head job {id} was promised {start:HH:mm:ss} but started {job.StartedAt:HH:mm:ss}");
            Assert.True(latestPromise[id] <= start, $"head job {id}'s promise moved later: {start:HH:mm:ss} -> {latestPromise[id]:HH:mm:ss}");
        }
        Assert.True(promised.Count >= 10, $"only {promised.Count} heads waited: the scenario proves little");
        Assert.True(backfilled >= 20, $"only {backfilled} jobs backfilled: the scenario proves little");
    }

    /// <summary>
    /// (e) Arrays with %N and afterok chains, afterany and afternotok around a failing job: nothing starts before its
    /// dependencies allow, no more than N tasks of an array run at once, and a job whose dependency can never be met
    /// ends Rejected, "dependency never satisfied".
    /// </summary>
    [Fact]
    public void ArraysAndDependencies_RunInAValidOrder()
    {
        var random = new Random(5);
        var violations = new List<string>();
        var arrayPeaks = new Dictionary<long, int>();
        Simulator sim = null!;
        sim = new Simulator(FairShareWithBackfill(), Nodes(1, 8, 32 * GiB), T0)
        {
            AfterCycle = (_, plan) =>
            {
                foreach (var placement in plan.Placements)
                {
                    var job = sim.Job(placement.JobId);
                    foreach (var dependency in job.Spec.Dependencies)
                    {
                        var other = sim.Job(dependency.JobId);
                        var allowed = dependency.Kind switch
                        {
                            DependencyKind.AfterOk => other.State == JobState.Succeeded,
                            DependencyKind.AfterAny => other.State.IsTerminal(),
                            _ => other.State is JobState.Failed or JobState.Killed or JobState.Rejected,
                        };
                        if (!allowed || other.EndedAt > sim.Now)
                        {
                            violations.Add($"{sim.Now:HH:mm:ss} job {job.Id} started with {dependency} while job {other.Id} is {other.State}");
                        }
                    }
                }
            },
            AfterEvent = () =>
            {
                foreach (var array in sim.RunningJobs.Where(j => j.Spec.ArrayId is not null).GroupBy(j => j.Spec.ArrayId!.Value))
                {
                    arrayPeaks[array.Key] = Math.Max(arrayPeaks.GetValueOrDefault(array.Key), array.Count());
                }
            },
        };
        SimJobSpec Spec(string owner, int seconds, string? after = null, int exitCode = 0)
        {
            IReadOnlyList<Dependency> dependencies = [];
            Assert.True(after is null || Dependency.TryParseList(after, out dependencies, out _));
            return new SimJobSpec(owner, "lab", 1, GiB, Seconds(seconds)) { Walltime = Seconds(seconds), ExitCode = exitCode, Dependencies = dependencies };
        }

        // Other work competing for the node's 8 cpus.
        for (var i = 0; i < 20; i++)
        {
            sim.Submit(Spec("bob", 120), T0.AddSeconds(random.Next(0, 300)));
        }
        var wide = sim.SubmitArray(Spec("alice", 60), 12, maxRunning: 3, T0);
        var narrow = sim.SubmitArray(Spec("carol", 45), 8, maxRunning: 2, T0.AddSeconds(30));
        var c1 = sim.Submit(Spec("dave", 60), T0);
        var c2 = sim.Submit(Spec("dave", 60, $"afterok:{c1.Id}"), T0);
        var c3 = sim.Submit(Spec("dave", 60, $"afterok:{c2.Id}"), T0);
        var fails = sim.Submit(Spec("erin", 40, exitCode: 1), T0);
        var afterAny = sim.Submit(Spec("erin", 30, $"afterany:{fails.Id}"), T0.AddSeconds(1));
        var afterNotOk = sim.Submit(Spec("erin", 30, $"afternotok:{fails.Id}"), T0.AddSeconds(1));
        var afterOkOnFailure = sim.Submit(Spec("erin", 30, $"afterok:{fails.Id}"), T0.AddSeconds(1));
        var afterRejected = sim.Submit(Spec("erin", 30, $"afterok:{afterOkOnFailure.Id}"), T0.AddSeconds(1));
        var succeeds = sim.Submit(Spec("frank", 20), T0);
        var afterNotOkOnSuccess = sim.Submit(Spec("frank", 30, $"afternotok:{succeeds.Id}"), T0.AddSeconds(1));
        var afterAnyOnSuccess = sim.Submit(Spec("frank", 30, $"afterany:{succeeds.Id}"), T0.AddSeconds(1));
        var afterWholeArray = sim.Submit(Spec("alice", 30, "afterok:" + string.Join(':', wide.Select(t => t.Id))), T0);
        var mixed = sim.Submit(Spec("dave", 30, $"afterany:{c3.Id},afterok:{narrow[^1].Id}"), T0.AddSeconds(30));
        var noSuchJob = sim.Submit(Spec("frank", 30, "afterok:99999"), T0);

        sim.Run(T0.AddDays(1));

        Assert.Empty(violations);
        Assert.Equal(3, arrayPeaks[wide[0].Id]);
        Assert.Equal(2, arrayPeaks[narrow[0].Id]);
        Assert.All(wide.Concat(narrow), t => Assert.Equal(JobState.Succeeded, t.State));

        var rejected = new[] { afterOkOnFailure, afterRejected, afterNotOkOnSuccess, noSuchJob };
        Assert.Equal(rejected.Select(j => j.Id).Order(), sim.Jobs.Where(j => j.State == JobState.Rejected).Select(j => j.Id).Order());
        Assert.All(rejected, j => Assert.StartsWith("dependency never satisfied", j.Reason));
        Assert.Equal($"dependency never satisfied: afterok:{fails.Id} (job {fails.Id} ended Failed)", afterOkOnFailure.Reason);
        Assert.Equal("dependency never satisfied: afterok:99999 (no such job)", noSuchJob.Reason);
        // Rejected in the very cycle that saw the failure; a job depending on the rejected one, in a following cycle.
        Assert.Equal(fails.EndedAt, afterOkOnFailure.EndedAt);
        Assert.InRange(afterRejected.EndedAt!.Value, afterOkOnFailure.EndedAt!.Value.AddTicks(1), afterOkOnFailure.EndedAt!.Value + sim.CycleInterval);

        Assert.Equal(JobState.Failed, fails.State);
        Assert.All(new[] { c1, c2, c3, afterAny, afterNotOk, succeeds, afterAnyOnSuccess, afterWholeArray, mixed }, j => Assert.Equal(JobState.Succeeded, j.State));
        Assert.True(c2.StartedAt >= c1.EndedAt && c3.StartedAt >= c2.EndedAt);
        Assert.True(afterWholeArray.StartedAt >= wide.Max(t => t.EndedAt));
        Assert.True(mixed.StartedAt >= c3.EndedAt && mixed.StartedAt >= narrow[^1].EndedAt);
        output.WriteLine($"array peaks {arrayPeaks[wide[0].Id]}/3 and {arrayPeaks[narrow[0].Id]}/2; chain started {c1.StartedAt:mm:ss} {c2.StartedAt:mm:ss} {c3.StartedAt:mm:ss}; "
            + $"failure at {fails.EndedAt:mm:ss}, afterany {afterAny.StartedAt:mm:ss}, afternotok {afterNotOk.StartedAt:mm:ss}; {sim.Cycles} cycles");
    }
}
