using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;

namespace GoDocker.Bench;

/// <summary>
/// A large site in memory, the same for a given seed: users submitting in skewed amounts across projects, jobs of
/// mixed sizes and walltimes, some constrained, held, dependent or array tasks with %N; nodes mostly full of
/// running jobs (so backfill has reservations to respect) with some room left (so thousands of placements happen).
/// </summary>
internal static class SiteSnapshot
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;
    private static readonly DateTimeOffset Now = new(2025, 6, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly long[] Walltimes = [600, 1800, 3600, 7200, 14400, 43200, 86400, 172800];
    private static readonly double[] CpuSizes = [0.5, 1, 1, 1, 2, 2, 2, 4, 4, 8];
    private static readonly double[] GibPerCpu = [0.5, 1, 2, 2, 4];
    private static readonly string[] Zones = ["a", "b", "c", "d"];
    private static readonly int[] NodeCpus = [32, 48, 64];
    private static readonly long[] NodeGib = [128, 256, 384, 512];
    private static readonly int[] UserShares = [1, 1, 1, 2, 5, 10];

    /// <summary>Job ids of finished jobs that pending ones depend on: succeeded, failed.</summary>
    private const long SucceededBase = 500_000;
    private const long FailedBase = 600_000;
    private const long RunningBase = 700_000;
    private const long PendingBase = 1_000_000;
    private const long ArrayBase = 900_000;

    public static SchedulingSnapshot Build(int jobs, int users, int projects, int nodes, double drained, int seed)
    {
        var random = new Random(seed);
        var logins = Enumerable.Range(1, users).Select(i => $"u{i:0000}").ToArray();
        var projectNames = Enumerable.Range(1, projects).Select(i => $"p{i:00}").ToArray();
        var home = logins.Select(_ => random.Next(projects)).ToArray();
        var other = logins.Select(_ => random.Next(projects)).ToArray();
        // Submission amounts skewed as on real sites: a few users submit most jobs (Zipf, s = 0.8).
        var weights = new double[users];
        for (var i = 0; i < users; i++)
        {
            weights[i] = (i == 0 ? 0 : weights[i - 1]) + Math.Pow(i + 1, -0.8);
        }
        int PickUser()
        {
            var at = random.NextDouble() * weights[^1];
            var index = Array.BinarySearch(weights, at);
            return Math.Min(users - 1, index < 0 ? ~index : index);
        }
        string ProjectOf(int user) => projectNames[random.NextDouble() < 0.8 ? home[user] : other[user]];

        var nodeLoads = BuildNodes(random, nodes, drained);
        var arrays = new List<(long Id, int User, string Project, int Max)>();
        var dependencyStates = new Dictionary<long, JobState>();
        var pending = new List<PendingJob>(jobs);
        var span = TimeSpan.FromDays(7).Ticks;
        var id = PendingBase;
        while (pending.Count < jobs)
        {
            var user = PickUser();
            var project = ProjectOf(user);
            var submitted = Now - TimeSpan.FromTicks(span - span * pending.Count / jobs) + TimeSpan.FromSeconds(random.Next(60));
            var template = Job(random, id, logins[user], project, submitted);
            if (random.NextDouble() < 0.003)
            {
                // An array of 10-100 tasks, at most 2-10 running at once.
                var arrayId = ArrayBase + arrays.Count;
                var max = random.Next(2, 11);
                arrays.Add((arrayId, user, project, max));
                var tasks = Math.Min(jobs - pending.Count, random.Next(10, 101));
                for (var t = 0; t < tasks; t++)
                {
                    pending.Add(template with { Id = id++, ArrayId = arrayId, ArrayMaxRunning = max });
                }
                continue;
            }
            var roll = random.NextDouble();
            if (roll < 0.01)
            {
                template = template with { HeldBy = random.Next(4) == 0 ? "admin" : "user" };
            }
            else if (roll < 0.05)
            {
                template = template with { Dependencies = [Dependency(random, id, dependencyStates)] };
            }
            if (random.NextDouble() < 0.005)
            {
                template = template with { PriorityAdjustment = random.Next(2) == 0 ? 1000 : -500 };
            }
            pending.Add(template);
            id++;
        }

        var running = BuildRunning(random, nodeLoads, logins, PickUser, ProjectOf, arrays);
        var used = NodeUsage.Of(running);
        var loads = nodeLoads.Select(n => new NodeLoad(n, used.GetValueOrDefault(n.Name))).ToList();
        foreach (var job in running)
        {
            dependencyStates.TryAdd(job.Id, JobState.Running);
        }
        return new SchedulingSnapshot(pending, loads, Now)
        {
            Running = running,
            DependencyStates = dependencyStates,
            Usage = Usage(random, logins, projectNames),
            Quotas = Quotas(random, logins, projectNames),
        };
    }

    private static PendingJob Job(Random random, long id, string owner, string project, DateTimeOffset submitted)
    {
        var cpus = CpuSizes[random.Next(CpuSizes.Length)];
        var memory = Math.Clamp((long)(cpus * GibPerCpu[random.Next(GibPerCpu.Length)] * GiB), 256 * MiB, 32 * GiB);
        var roll = random.NextDouble();
        IReadOnlyList<Constraint> constraints = roll switch
        {
            < 0.10 => [new Constraint("disk", "ssd", true)],
            < 0.13 => [new Constraint("disk", "hdd", false)],
            < 0.16 => [new Constraint("zone", Zones[random.Next(Zones.Length)], true)],
            < 0.17 => [new Constraint("disk", "ssd", true), new Constraint("zone", Zones[random.Next(Zones.Length)], true)],
            _ => [],
        };
        // Drawn in this order, so a seed builds the same site as before.
        long? walltime = random.NextDouble() < 0.75 ? Walltimes[random.Next(Walltimes.Length)] : null;
        var gpus = random.NextDouble() < 0.005 ? random.Next(1, 3) : 0;
        return new PendingJob(id, 1, owner, project, new Resources(cpus, memory, gpus), submitted, null)
        {
            WalltimeSeconds = walltime,
            Constraints = constraints,
        };
    }

    /// <summary>A dependency on an earlier pending job, a finished job (met or never met), a running one, or none that exists.</summary>
    private static Dependency Dependency(Random random, long id, Dictionary<long, JobState> states)
    {
        var roll = random.NextDouble();
        if (roll < 0.4 && id > PendingBase + 10)
        {
            var on = PendingBase + random.NextInt64(id - PendingBase);
            states[on] = JobState.Pending;
            return new Dependency(DependencyKind.AfterOk, on);
        }
        if (roll < 0.8)
        {
            var on = SucceededBase + random.Next(10_000);
            states[on] = JobState.Succeeded;
            return new Dependency(random.Next(2) == 0 ? DependencyKind.AfterOk : DependencyKind.AfterAny, on);
        }
        if (roll < 0.9)
        {
            // Filled in as Running once the running jobs exist.
            return new Dependency(DependencyKind.AfterAny, RunningBase + random.Next(1_000));
        }
        if (roll < 0.95)
        {
            var on = FailedBase + random.Next(1_000);
            states[on] = JobState.Failed;
            return new Dependency(DependencyKind.AfterOk, on);
        }
        return new Dependency(DependencyKind.AfterOk, 1 + random.Next(1_000));
    }

    private static List<NodeInfo> BuildNodes(Random random, int count, double drainedShare)
    {
        var nodes = new List<NodeInfo>(count);
        for (var i = 1; i <= count; i++)
        {
            var cpus = NodeCpus[random.Next(NodeCpus.Length)];
            var memory = NodeGib[random.Next(NodeGib.Length)] * GiB;
            var drained = random.NextDouble() < drainedShare;
            nodes.Add(new NodeInfo($"node{i:0000}", new Resources(cpus, memory, i % 20 == 0 ? 4 : 0))
            {
                Labels = new Dictionary<string, string>
                {
                    ["disk"] = random.NextDouble() < 0.6 ? "ssd" : "hdd",
                    ["zone"] = Zones[random.Next(Zones.Length)],
                    ["rack"] = $"r{(i - 1) / 40:00}",
                },
                Schedulable = !drained,
                Unavailable = drained ? "drained by admin" : null,
            });
        }
        return nodes;
    }

    /// <summary>Running jobs: about 70% of nodes 90-100% full, the rest 30-70%, so a few thousand jobs still fit now.</summary>
    private static List<RunningJob> BuildRunning(
        Random random, List<NodeInfo> nodes, string[] logins, Func<int> pickUser, Func<int, string> projectOf,
        List<(long Id, int User, string Project, int Max)> arrays)
    {
        var running = new List<RunningJob>();
        var id = RunningBase;
        var arrayRunning = new Dictionary<long, int>();
        foreach (var node in nodes)
        {
            var target = random.NextDouble() < 0.7 ? 0.9 + 0.1 * random.NextDouble() : 0.3 + 0.4 * random.NextDouble();
            double cpus = 0;
            long memory = 0;
            var gpus = 0;
            for (var misses = 0; misses < 5;)
            {
                var size = CpuSizes[random.Next(CpuSizes.Length)];
                var bytes = Math.Clamp((long)(size * GibPerCpu[random.Next(GibPerCpu.Length)] * GiB), 256 * MiB, 32 * GiB);
                if (cpus + size > node.Capacity.Cpus * target || memory + bytes > node.Capacity.MemoryBytes * target)
                {
                    misses++;
                    continue;
                }
                var walltime = random.NextDouble() < 0.9 ? Walltimes[random.Next(Walltimes.Length)] : (long?)null;
                // Most are within their walltime; about 2% overran it (about to be stopped).
                var elapsed = (walltime ?? 3600) * (random.NextDouble() < 0.02 ? 1.1 : random.NextDouble());
                var user = pickUser();
                // Drawn in this order (the project, then gpus), so a seed builds the same site as before.
                var project = projectOf(user);
                var jobGpus = node.Capacity.Gpus - gpus > 0 && random.NextDouble() < 0.2 ? 1 : 0;
                var job = new RunningJob(id++, logins[user], project, node.Name, new Resources(size, bytes, jobGpus), Now - TimeSpan.FromSeconds(elapsed))
                {
                    WalltimeSeconds = walltime,
                };
                if (arrays.Count > 0 && random.NextDouble() < 0.03)
                {
                    var array = arrays[random.Next(arrays.Count)];
                    var count = arrayRunning.GetValueOrDefault(array.Id);
                    if (count < array.Max)
                    {
                        arrayRunning[array.Id] = count + 1;
                        job = job with { Owner = logins[array.User], Project = array.Project, ArrayId = array.Id };
                    }
                }
                running.Add(job);
                cpus += size;
                memory += bytes;
                gpus += job.Held.Gpus;
            }
        }
        return running;
    }

    private static UsageSnapshot Usage(Random random, string[] logins, string[] projects)
    {
        AccountStanding Standing(double shares, int priority) => new(
            shares, priority,
            random.NextDouble() < 0.9
                ? new DecayedUsage(random.NextDouble() * 2e7, random.NextDouble() * 8e7, random.NextDouble() * 1e5, Now - TimeSpan.FromHours(random.Next(48)))
                : null);
        return new UsageSnapshot(
            logins.ToDictionary(l => l, _ => Standing(UserShares[random.Next(UserShares.Length)], random.NextDouble() < 0.9 ? 0 : random.Next(1, 11))),
            projects.ToDictionary(p => p, _ => Standing(random.Next(10, 101), random.Next(0, 6))));
    }

    /// <summary>A default user cpu cap; tighter caps, job-count limits and exhausted cpu-hours for some; caps on some projects.</summary>
    private static QuotaBook Quotas(Random random, string[] logins, string[] projects)
    {
        var users = new Dictionary<string, Quota>();
        foreach (var login in logins.Where(_ => random.NextDouble() < 0.05))
        {
            users[login] = random.Next(3) switch
            {
                0 => new Quota { MaxRunningJobs = random.Next(5, 50) },
                1 => new Quota { MaxCpus = random.Next(16, 128) },
                _ => new Quota { MaxCpuHours = 10_000 },
            };
        }
        var projectQuotas = projects.Where(_ => random.NextDouble() < 0.2)
            .ToDictionary(p => p, _ => new Quota { MaxCpus = random.Next(500, 3000), MaxMemoryBytes = random.Next(4, 20) * 1024 * GiB });
        return new QuotaBook
        {
            UserDefault = new Quota { MaxCpus = 512 },
            Users = users,
            Projects = projectQuotas,
            UserCpuHours = logins.ToDictionary(l => l, _ => random.NextDouble() * 20_000),
            ProjectCpuHours = projects.ToDictionary(p => p, _ => random.NextDouble() * 200_000),
        };
    }

    public static string Describe(SchedulingSnapshot snapshot)
    {
        var nodes = snapshot.Nodes;
        var cpus = nodes.Where(n => n.Node.Schedulable).Sum(n => n.Node.Capacity.Cpus);
        var free = nodes.Where(n => n.Node.Schedulable).Sum(n => Math.Max(0, n.Free.Cpus));
        return string.Create(CultureInfo.InvariantCulture,
            $"pending={snapshot.Pending.Count} users={snapshot.Pending.Select(j => j.Owner).Distinct().Count()} projects={snapshot.Pending.Select(j => j.Project).Distinct().Count()} "
            + $"nodes={nodes.Count} drained={nodes.Count(n => !n.Node.Schedulable)} running={snapshot.Running.Count} cpus={cpus:0} free_cpus={free:0} "
            + $"held={snapshot.Pending.Count(j => j.HeldBy is not null)} with_deps={snapshot.Pending.Count(j => j.Dependencies.Count > 0)} "
            + $"array_tasks={snapshot.Pending.Count(j => j.ArrayId is not null)} constrained={snapshot.Pending.Count(j => j.Constraints.Count > 0)}");
    }
}
