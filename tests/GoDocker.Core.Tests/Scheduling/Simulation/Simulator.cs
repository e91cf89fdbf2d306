using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Core.Tests.Scheduling.Simulation;

/// <summary>
/// A small discrete-event simulation of the server around the pure cycle: an in-memory store (pending → running →
/// succeeded/failed, or rejected by a plan), an in-memory executor that runs a started job for its runtime (stopping it
/// at its walltime) and holds its resources meanwhile, and a fake clock. A cycle runs whenever jobs end or are
/// submitted, and every <see cref="CycleInterval"/> while jobs wait. Usage is recorded when a job ends, decayed per user
/// and per project, as the server does; each cycle gets a snapshot built from the store.
/// <para>
/// The plan is applied as the store would, re-checked: a placement on a job that is not pending any more, at a stale
/// version, or on a node without the room is a fault of the cycle here (nothing changes between snapshot and apply), so
/// it throws.
/// </para>
/// </summary>
internal sealed class Simulator
{
    private const double CpuTolerance = 1e-6;

    private readonly SchedulingCycle cycle;
    private readonly IReadOnlyList<NodeInfo> nodes;
    private readonly Dictionary<long, SimJob> jobs = [];
    private readonly SortedDictionary<long, SimJob> pending = [];
    private readonly SortedDictionary<long, SimJob> running = [];
    private readonly PriorityQueue<(EventKind Kind, long JobId), (long Ticks, int Kind, long Sequence)> events = new();
    private readonly Dictionary<string, DecayedUsage> userUsage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DecayedUsage> projectUsage = new(StringComparer.Ordinal);
    private long nextId = 1;
    private long sequence;
    private DateTimeOffset lastCycle;

    public Simulator(SchedulingCycle cycle, IReadOnlyList<NodeInfo> nodes, DateTimeOffset start)
    {
        this.cycle = cycle;
        this.nodes = nodes;
        Clock = new FakeTimeProvider(start);
        Start = start;
        lastCycle = start;
    }

    private enum EventKind
    {
        // At one instant, jobs end before others are submitted; both before the cycle.
        End = 0,
        Submit = 1,
    }

    public FakeTimeProvider Clock { get; }
    public DateTimeOffset Start { get; }
    public DateTimeOffset Now => Clock.GetUtcNow();
    public TimeSpan CycleInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Half-life used when recording usage (the order decays it again to the cycle's now with its own).</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(7);
    public IReadOnlyDictionary<string, AccountStanding> UserStandings { get; init; } = new Dictionary<string, AccountStanding>();
    public IReadOnlyDictionary<string, AccountStanding> ProjectStandings { get; init; } = new Dictionary<string, AccountStanding>();
    public QuotaBook Quotas { get; init; } = QuotaBook.None;

    /// <summary>Called after each cycle's plan is applied, with the snapshot it was computed from.</summary>
    public Action<SchedulingSnapshot, Plan>? AfterCycle { get; init; }
    /// <summary>Called after each instant's events and cycle: the place to check invariants "at every instant".</summary>
    public Action? AfterEvent { get; init; }

    public IReadOnlyCollection<SimJob> Jobs => jobs.Values;
    public IReadOnlyCollection<SimJob> RunningJobs => running.Values;
    public IReadOnlyCollection<SimJob> PendingJobs => pending.Values;
    public int Cycles { get; private set; }

    public SimJob Job(long id) => jobs[id];

    /// <summary>Submits a job at <paramref name="at"/> (ids are given now, so later jobs can depend on it).</summary>
    public SimJob Submit(SimJobSpec spec, DateTimeOffset at)
    {
        var job = new SimJob(nextId++, spec, at);
        jobs.Add(job.Id, job);
        Schedule(at, EventKind.Submit, job.Id);
        return job;
    }

    /// <summary>Submits an array: one job per task, sharing the array id (the first task's id, as the server gives).</summary>
    public IReadOnlyList<SimJob> SubmitArray(SimJobSpec spec, int tasks, int? maxRunning, DateTimeOffset at)
    {
        var arrayId = nextId;
        return [.. Enumerable.Range(0, tasks).Select(_ => Submit(spec with { ArrayId = arrayId, ArrayMaxRunning = maxRunning }, at))];
    }

    /// <summary>Runs until nothing can change any more, or <paramref name="until"/>.</summary>
    public void Run(DateTimeOffset until)
    {
        while (true)
        {
            DateTimeOffset? next = events.TryPeek(out _, out var first) ? new DateTimeOffset(first.Ticks, TimeSpan.Zero) : null;
            if (pending.Count > 0 && lastCycle + CycleInterval is var tick && (next is null || tick < next))
            {
                if (next is null && running.Count == 0)
                {
                    return; // jobs wait for something no event will bring (a hold, an unmet quota): nothing changes any more
                }
                next = tick;
            }
            if (next is not { } at || at > until)
            {
                return;
            }
            Clock.SetUtcNow(at);
            while (events.TryPeek(out _, out var due) && due.Ticks == at.UtcTicks)
            {
                var (kind, id) = events.Dequeue();
                if (kind == EventKind.End)
                {
                    End(jobs[id]);
                }
                else
                {
                    jobs[id].Submitted = true;
                    pending.Add(id, jobs[id]);
                }
            }
            RunCycle();
            AfterEvent?.Invoke();
        }
    }

    public SchedulingSnapshot Snapshot()
    {
        var now = Now;
        var dependencyStates = new Dictionary<long, JobState>();
        foreach (var job in pending.Values)
        {
            foreach (var dependency in job.Spec.Dependencies)
            {
                if (jobs.TryGetValue(dependency.JobId, out var other) && other.Submitted)
                {
                    dependencyStates[other.Id] = other.State;
                }
            }
        }
        var loads = nodes.Select(node =>
        {
            var on = running.Values.Where(j => j.Node == node.Name).ToList();
            return new NodeLoad(node, new GoDocker.Jobs.Resources(on.Sum(j => j.Spec.Cpus), on.Sum(j => j.Spec.MemoryBytes), on.Sum(j => j.Spec.Gpus)));
        }).ToList();
        return new SchedulingSnapshot([.. pending.Values.Select(j => j.ToPending())], loads, now)
        {
            Running = [.. running.Values.Select(j => j.ToRunning())],
            DependencyStates = dependencyStates,
            Usage = new UsageSnapshot(Standings(UserStandings, userUsage), Standings(ProjectStandings, projectUsage)),
            Quotas = Quotas,
        };
    }

    private void RunCycle()
    {
        lastCycle = Now;
        Cycles++;
        var snapshot = Snapshot();
        var plan = cycle.Run(snapshot);
        Apply(plan);
        AfterCycle?.Invoke(snapshot, plan);
    }

    private void Apply(Plan plan)
    {
        foreach (var placement in plan.Placements)
        {
            var job = jobs[placement.JobId];
            if (job.State != JobState.Pending || job.Version != placement.Version)
            {
                throw new InvalidOperationException($"placement of {job} at version {placement.Version}: the store has version {job.Version}");
            }
            var node = nodes.Single(n => n.Name == placement.Node);
            var on = running.Values.Where(j => j.Node == node.Name).ToList();
            if (!node.Schedulable
                || on.Sum(j => j.Spec.Cpus) + job.Spec.Cpus > node.Capacity.Cpus + CpuTolerance
                || on.Sum(j => j.Spec.MemoryBytes) + job.Spec.MemoryBytes > node.Capacity.MemoryBytes
                || on.Sum(j => j.Spec.Gpus) + job.Spec.Gpus > node.Capacity.Gpus)
            {
                throw new InvalidOperationException($"placement of {job} on {node.Name} overfills it");
            }
            pending.Remove(job.Id);
            running.Add(job.Id, job);
            job.State = JobState.Running;
            job.Version++;
            job.Node = node.Name;
            job.StartedAt = Now;
            job.Reason = null;
            // The executor: the container runs for its runtime; the walltime watcher stops it at its walltime.
            var runtime = job.Spec.Walltime is { } walltime && walltime < job.Spec.Runtime ? walltime : job.Spec.Runtime;
            Schedule(Now + runtime, EventKind.End, job.Id);
        }
        foreach (var (id, reason) in plan.Rejections)
        {
            var job = jobs[id];
            pending.Remove(id);
            job.State = JobState.Rejected;
            job.Version++;
            job.Reason = reason;
            job.EndedAt = Now;
        }
        foreach (var (id, reason) in plan.PendingReasons)
        {
            jobs[id].Reason = reason;
        }
    }

    private void End(SimJob job)
    {
        running.Remove(job.Id);
        var stoppedAtWalltime = job.Spec.Walltime is { } walltime && walltime < job.Spec.Runtime;
        job.State = job.Spec.ExitCode == 0 && !stoppedAtWalltime ? JobState.Succeeded : JobState.Failed;
        job.Version++;
        job.EndedAt = Now;
        var consumed = JobConsumption.Of(job.Spec.Cpus, job.Spec.MemoryBytes, job.Spec.Gpus, Now - job.StartedAt!.Value);
        userUsage[job.Spec.Owner] = (userUsage.GetValueOrDefault(job.Spec.Owner) ?? DecayedUsage.Zero(Now)).Add(consumed, Now, HalfLife);
        projectUsage[job.Spec.Project] = (projectUsage.GetValueOrDefault(job.Spec.Project) ?? DecayedUsage.Zero(Now)).Add(consumed, Now, HalfLife);
    }

    private void Schedule(DateTimeOffset at, EventKind kind, long jobId) => events.Enqueue((kind, jobId), (at.UtcTicks, (int)kind, sequence++));

    private static Dictionary<string, AccountStanding> Standings(IReadOnlyDictionary<string, AccountStanding> configured, Dictionary<string, DecayedUsage> usage)
    {
        var standings = new Dictionary<string, AccountStanding>(StringComparer.Ordinal);
        foreach (var (name, standing) in configured)
        {
            standings[name] = standing with { Usage = usage.GetValueOrDefault(name) };
        }
        foreach (var (name, used) in usage)
        {
            standings.TryAdd(name, new AccountStanding(1, 0, used));
        }
        return standings;
    }
}
