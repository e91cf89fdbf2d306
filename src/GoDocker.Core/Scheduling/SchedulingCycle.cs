using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// One scheduling pass: snapshot in, plan out, no I/O (DESIGN invariant 2). Order the queue
/// (<see cref="IQueueOrder"/>), then walk it: admit each job (<see cref="IAdmission"/>: holds, dependencies, quotas,
/// array limits), place it on the best node (<see cref="IPlacementScorer"/>) among those that pass every
/// <see cref="IPlacementFilter"/>, updating the cycle's own view of free capacity and of what each user runs.
/// <para>
/// Without backfill, the first job that does not fit blocks the ones behind it (Slurm's main scheduler does the
/// same), so a large job is never starved by small ones. With backfill, the first <see cref="CycleOptions.Reservations"/>
/// jobs that do not fit get a reservation at the earliest time running jobs' walltimes free enough room, and a
/// later job starts now only if it fits around every reservation for its whole walltime: it never delays them.
/// </para>
/// </summary>
public sealed class SchedulingCycle(
    IQueueOrder order,
    IReadOnlyList<IAdmission> admissions,
    IReadOnlyList<IPlacementFilter> filters,
    IPlacementScorer scorer,
    CycleOptions options)
{
    public IQueueOrder Order { get; } = order;
    public IReadOnlyList<IAdmission> Admissions { get; } = admissions;
    public IReadOnlyList<IPlacementFilter> Filters { get; } = filters;
    public IPlacementScorer Scorer { get; } = scorer;
    public CycleOptions Options { get; } = options;

    /// <summary>The standard admissions, in the order their reasons matter most to a user.</summary>
    public static IReadOnlyList<IAdmission> StandardAdmissions { get; } =
        [new HoldAdmission(), new DependencyAdmission(), new ArrayLimitAdmission(), new QuotaAdmission()];

    /// <summary>The standard filters: resources free now, then node labels against constraints.</summary>
    public static IReadOnlyList<IPlacementFilter> StandardFilters { get; } = [new ResourceFitFilter(), new ConstraintFilter()];

    public Plan Run(SchedulingSnapshot snapshot)
    {
        if (snapshot.Pending.Count == 0)
        {
            return Plan.Empty;
        }
        return new Pass(this, snapshot).Run();
    }

    /// <summary>The state of one run: kept apart so the cycle itself stays stateless and shareable.</summary>
    private sealed class Pass
    {
        private readonly SchedulingCycle cycle;
        private readonly SchedulingSnapshot snapshot;
        private readonly NodeLoad[] loads;
        private readonly NodeTimeline[]? timelines;
        private readonly long now;
        private readonly long defaultWalltime;
        private readonly CycleLedger ledger;
        private readonly List<Placement> placements = [];
        private readonly Dictionary<long, string> reasons = [];
        private readonly Dictionary<long, string> rejections = [];
        private readonly Dictionary<long, DateTimeOffset> starts = [];
        // Request shapes that found no node now: capacity only shrinks during a pass, so equal or larger ones won't either.
        private readonly HashSet<Shape> failedShapes = [];
        private (double Cpus, long MemoryBytes, int Gpus) maxFree;
        private int reservations;

        public Pass(SchedulingCycle cycle, SchedulingSnapshot snapshot)
        {
            this.cycle = cycle;
            this.snapshot = snapshot;
            now = snapshot.Now.UtcTicks;
            defaultWalltime = Math.Max(1, cycle.Options.DefaultWalltime.Ticks);
            loads = [.. snapshot.Nodes.OrderBy(n => n.Node.Name, StringComparer.Ordinal)];
            ledger = new CycleLedger(snapshot);
            if (cycle.Options.Backfill)
            {
                var releases = snapshot.Running
                    .GroupBy(r => r.Node, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(r => (End: End(r), r.Cpus, r.MemoryBytes, r.Gpus)).ToList(), StringComparer.Ordinal);
                timelines = [.. loads.Select(l => new NodeTimeline(l, releases.GetValueOrDefault(l.Node.Name) ?? [], now))];
            }
            UpdateMaxFree();
        }

        public Plan Run()
        {
            var ranking = cycle.Order.Rank(snapshot);
            PendingJob? blocker = null;
            foreach (var ranked in ranking)
            {
                var job = ranked.Job;
                if (blocker is not null)
                {
                    Note(job, $"queued behind job {blocker.Id.ToString(CultureInfo.InvariantCulture)}, which waits for resources");
                    continue;
                }
                var admission = Admit(job);
                if (admission.Kind == VerdictKind.Never)
                {
                    rejections[job.Id] = admission.Reason ?? "can never run";
                    continue;
                }
                if (!admission.IsOk)
                {
                    Note(job, admission.Reason ?? "not admitted");
                    continue;
                }
                var duration = job.WalltimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds).Ticks : defaultWalltime;
                var refusals = new List<string>();
                if (TryPlaceNow(job, duration, refusals))
                {
                    continue;
                }
                var wants = string.Create(CultureInfo.InvariantCulture, $"{job.Cpus:0.###} cpus, {ByteSize.Format(job.MemoryBytes)}")
                    + (job.Gpus > 0 ? $", {job.Gpus} gpus" : "");
                var waiting = refusals.Count == 0
                    ? $"waiting for {wants}: no node has that much free now"
                    : $"waiting for {wants} on any node ({string.Join("; ", refusals.Take(3))}{(refusals.Count > 3 ? "; …" : "")})";
                if (timelines is null)
                {
                    blocker = job;
                    Note(job, waiting);
                }
                else if (reservations < cycle.Options.Reservations)
                {
                    Note(job, Reserve(job, duration) ?? waiting);
                }
                else
                {
                    Note(job, waiting);
                }
            }
            return new Plan(placements, reasons)
            {
                Rejections = rejections,
                ExpectedStarts = starts,
                Ranking = ranking,
            };
        }

        private Verdict Admit(PendingJob job)
        {
            foreach (var admission in cycle.Admissions)
            {
                var verdict = admission.Admit(job, ledger);
                if (!verdict.IsOk)
                {
                    return verdict;
                }
            }
            return Verdict.Ok;
        }

        private bool TryPlaceNow(PendingJob job, long duration, List<string> refusals)
        {
            var shape = new Shape(job.Cpus, job.MemoryBytes, job.Gpus, duration, Constraints(job));
            if (job.Cpus > maxFree.Cpus + ResourceFitFilter.Epsilon || job.MemoryBytes > maxFree.MemoryBytes || job.Gpus > maxFree.Gpus
                || failedShapes.Contains(shape))
            {
                return false;
            }
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < loads.Length; i++)
            {
                if (Refuse(job, loads[i]) is { } refusal)
                {
                    refusals.Add(refusal);
                    continue;
                }
                if (timelines is not null && !timelines[i].Fits(now, End(now, duration), job.Cpus, job.MemoryBytes, job.Gpus))
                {
                    refusals.Add(timelines[i].ReservationIn(now, End(now, duration)) is { } held
                        ? $"{loads[i].Node.Name} is reserved for job {held.JobId.ToString(CultureInfo.InvariantCulture)} from {Format(held.From)}"
                        : $"{loads[i].Node.Name} is reserved");
                    continue;
                }
                var score = cycle.Scorer.Score(job, loads[i]);
                if (score > bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }
            if (best < 0)
            {
                failedShapes.Add(shape);
                return false;
            }
            var load = loads[best];
            loads[best] = load with
            {
                UsedCpus = load.UsedCpus + job.Cpus,
                UsedMemoryBytes = load.UsedMemoryBytes + job.MemoryBytes,
                UsedGpus = load.UsedGpus + job.Gpus,
            };
            timelines?[best].Take(job.Id, now, End(now, duration), job.Cpus, job.MemoryBytes, job.Gpus, reservation: false);
            ledger.Add(job);
            placements.Add(new Placement(job.Id, job.Version, load.Node.Name, job.Cpus, job.MemoryBytes) { Gpus = job.Gpus });
            UpdateMaxFree();
            return true;
        }

        /// <summary>Reserves the earliest start any eligible node offers; returns the reason to show, or null when no node ever can.</summary>
        private string? Reserve(PendingJob job, long duration)
        {
            var best = -1;
            var bestStart = long.MaxValue;
            string? ineligible = null;
            for (var i = 0; i < loads.Length; i++)
            {
                // Filters against the node empty: could the job ever run there (labels, size, node accepting)?
                if (Refuse(job, new NodeLoad(loads[i].Node, 0, 0)) is { } refusal)
                {
                    ineligible ??= refusal;
                    continue;
                }
                if (timelines![i].EarliestStart(duration, job.Cpus, job.MemoryBytes, job.Gpus) is { } start && start < bestStart)
                {
                    bestStart = start;
                    best = i;
                }
            }
            if (best < 0)
            {
                return ineligible is null ? null : $"no node can run it now or later ({ineligible})";
            }
            timelines![best].Take(job.Id, bestStart, End(bestStart, duration), job.Cpus, job.MemoryBytes, job.Gpus, reservation: true);
            reservations++;
            var at = new DateTimeOffset(bestStart, TimeSpan.Zero);
            starts[job.Id] = at;
            return $"waiting for resources: expected to start by {Format(bestStart)} on {loads[best].Node.Name} (reserved)";
        }

        private string? Refuse(PendingJob job, NodeLoad node)
        {
            foreach (var filter in cycle.Filters)
            {
                var verdict = filter.Filter(job, node);
                if (!verdict.IsOk)
                {
                    return verdict.Reason ?? filter.Name;
                }
            }
            return null;
        }

        private void UpdateMaxFree()
        {
            maxFree = (0, 0, 0);
            foreach (var load in loads)
            {
                if (load.Node.Schedulable)
                {
                    maxFree = (Math.Max(maxFree.Cpus, load.FreeCpus), Math.Max(maxFree.MemoryBytes, load.FreeMemoryBytes), Math.Max(maxFree.Gpus, load.FreeGpus));
                }
            }
        }

        private void Note(PendingJob job, string reason)
        {
            if (reason != job.CurrentReason)
            {
                reasons[job.Id] = reason;
            }
        }

        private long End(RunningJob job) =>
            End(job.StartedAt.UtcTicks, job.WalltimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds).Ticks : defaultWalltime);

        private static long End(long start, long duration) => start > long.MaxValue - duration ? long.MaxValue : start + duration;

        private static string Format(long ticks) =>
            new DateTimeOffset(ticks, TimeSpan.Zero).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private static string Constraints(PendingJob job) => job.Constraints.Count == 0 ? "" : string.Join(',', job.Constraints);

        private readonly record struct Shape(double Cpus, long MemoryBytes, int Gpus, long Duration, string Constraints);
    }
}

/// <summary>Settings of the cycle (configuration: Scheduler).</summary>
public sealed record CycleOptions
{
    /// <summary>Start later jobs around the reservations of blocked ones (true), or block the queue at the first that waits (false).</summary>
    public bool Backfill { get; init; } = true;
    /// <summary>How many waiting jobs get a reservation, and so an expected start, per cycle.</summary>
    public int Reservations { get; init; } = 50;
    /// <summary>The walltime assumed for jobs that set none (for backfill and estimates).</summary>
    public TimeSpan DefaultWalltime { get; init; } = TimeSpan.FromHours(1);
}
