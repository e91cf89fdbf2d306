using System.Globalization;
using System.Numerics;
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
/// <para>
/// A fault while evaluating one job (an exception from a plugin, arithmetic on a value that slipped past validation)
/// never stops the cycle: that job is rejected with the reason, recorded in <see cref="Plan.Faults"/>, and the walk goes on.
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
    /// <remarks>
    /// Speed (100,000 pending jobs on 1,000 nodes in well under a second: bench/README.md, `cycle`) comes from not
    /// doing per node what a job's outcome does not need, never from deciding differently (the bench hashes the plan):
    /// <list type="bullet">
    /// <item>the built-in filters are checked inline, and a refusal's text is built only for the (at most three)
    /// nodes a pending reason names, once the job is known not to start;</item>
    /// <item>once some node takes the job, a later node is checked against the reservations only if it scores better;</item>
    /// <item>the nodes meeting a set of constraints are computed once per set;</item>
    /// <item>a request at least as large and as long as one every node already refused is refused by every node
    /// again (capacity only shrinks during a pass), so only the nodes its reason names are asked;</item>
    /// <item>a request no node could take even empty gets the same reason again without asking them.</item>
    /// </list>
    /// </remarks>
    private sealed class Pass
    {
        private const int ReasonNodes = 3;
        private readonly SchedulingCycle cycle;
        private readonly SchedulingSnapshot snapshot;
        private readonly NodeLoad[] loads;
        private readonly NodeTimeline[]? timelines;
        private readonly long now;
        private readonly long defaultWalltime;
        private readonly CycleLedger ledger;
        private readonly IAdmission[] admissions;
        private readonly IPlacementFilter[] filters;
        // When every filter is a built-in, they are checked inline against rooms (below), which built-ins are in force
        // saying what to check; else each filter is asked in turn.
        private readonly bool inline;
        private readonly bool checkResources;
        private readonly bool checkConstraints;
        // What each node has free now, as loads[i] says, kept side by side for the walk over every node.
        private readonly Room[] rooms;
        private readonly List<Placement> placements = [];
        private readonly Dictionary<long, string> reasons;
        private readonly Dictionary<long, string> rejections = [];
        private readonly Dictionary<long, Exception> faults = [];
        private readonly Dictionary<long, DateTimeOffset> starts = [];
        // Request shapes that found no node now: capacity only shrinks during a pass, so equal or larger ones won't either.
        private readonly HashSet<Shape> failedShapes = [];
        private readonly Dictionary<IReadOnlyList<Constraint>, ConstraintSet> constraintSets = new(ConstraintListComparer.Instance);
        private readonly ConstraintSet unconstrained;
        // "waiting for 2 cpus, 4 GiB: no node has that much free now", by request: most waiting jobs share a few.
        private readonly Dictionary<Shape, string> shortcutReasons = [];
        // Requests that no node could take even empty (so no reservation either), with the reason that says so.
        private readonly Dictionary<(long Cpus, long MemoryBytes, int Gpus, ConstraintSet Constraints), string> neverFits = [];
        private (double Cpus, long MemoryBytes, int Gpus) maxFree;
        private int reservations;

        public Pass(SchedulingCycle cycle, SchedulingSnapshot snapshot)
        {
            this.cycle = cycle;
            this.snapshot = snapshot;
            // Most pending jobs get a new reason on a first cycle: sized once rather than grown step by step.
            reasons = new Dictionary<long, string>(snapshot.Pending.Count);
            now = snapshot.Now.UtcTicks;
            defaultWalltime = Math.Max(1, cycle.Options.DefaultWalltime.Ticks);
            loads = [.. snapshot.Nodes.OrderBy(n => n.Node.Name, StringComparer.Ordinal)];
            ledger = new CycleLedger(snapshot);
            admissions = [.. cycle.Admissions];
            filters = [.. cycle.Filters];
            inline = filters.All(f => f is ResourceFitFilter or ConstraintFilter);
            checkResources = filters.Any(f => f is ResourceFitFilter);
            checkConstraints = filters.Any(f => f is ConstraintFilter);
            rooms = [.. loads.Select(Room.Of)];
            unconstrained = new ConstraintSet("", [.. Enumerable.Repeat(true, loads.Length)]);
            if (cycle.Options.Backfill)
            {
                var releases = snapshot.Running
                    .GroupBy(r => r.Node, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(r => (End: End(r), r.Cpus, r.MemoryBytes, r.Gpus)).ToList(), StringComparer.Ordinal);
                timelines = [.. loads.Select(l => new NodeTimeline(l, releases.GetValueOrDefault(l.Node.Name) ?? [], now))];
            }
            UpdateMaxFree();
        }

        private const string QueuedBehindAnother = "queued behind an earlier job of another user or project, which waits for resources";

        public Plan Run()
        {
            var ranking = Rank();
            PendingJob? blocker = null;
            string? queuedBehind = null;
            foreach (var ranked in ranking)
            {
                var job = ranked.Job;
                if (job.Unreadable is { } unreadable)
                {
                    rejections[job.Id] = unreadable;
                    continue;
                }
                if (blocker is not null)
                {
                    // A reason names another job only when everyone who may see this one (its owner, its project's
                    // managers, admins) may see that one too: same owner, same project.
                    Note(job, job.Owner == blocker.Owner && job.Project == blocker.Project
                        ? queuedBehind ??= $"queued behind job {blocker.Id.ToString(CultureInfo.InvariantCulture)}, which waits for resources"
                        : QueuedBehindAnother);
                    continue;
                }
                try
                {
                    if (Evaluate(job))
                    {
                        blocker = job;
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Fault(job, e);
                }
            }
            return new Plan(placements, reasons)
            {
                Rejections = rejections,
                ExpectedStarts = starts,
                Ranking = ranking,
                Faults = faults,
            };
        }

        /// <summary>Admits, places or reserves one job; true when it blocks the queue (no backfill, and it waits).</summary>
        private bool Evaluate(PendingJob job)
        {
            var admission = Admit(job);
            if (admission.Kind == VerdictKind.Never)
            {
                rejections[job.Id] = admission.Reason ?? "can never run";
                return false;
            }
            if (!admission.IsOk)
            {
                Note(job, admission.Reason ?? "not admitted");
                return false;
            }
            var duration = Duration(job.WalltimeSeconds);
            if (TryPlaceNow(job, duration, out var refusals))
            {
                return false;
            }
            var waiting = Waiting(job, duration, refusals);
            if (timelines is null)
            {
                Note(job, waiting);
                return true;
            }
            Note(job, reservations < cycle.Options.Reservations ? Reserve(job, duration) ?? waiting : waiting);
            return false;
        }

        /// <summary>
        /// The queue order. When the order fails, each job is ranked alone to find the ones it fails on: they are
        /// rejected, the others ranked without them. When it fails on none alone, or on every one of several, it is broken
        /// whatever the jobs: the cycle fails (the scheduler retries with backoff), no job is rejected for it.
        /// </summary>
        private IReadOnlyList<RankedJob> Rank()
        {
            try
            {
                return cycle.Order.Rank(snapshot);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var sound = new List<PendingJob>(snapshot.Pending.Count);
                foreach (var job in snapshot.Pending)
                {
                    try
                    {
                        cycle.Order.Rank(snapshot with { Pending = [job] });
                        sound.Add(job);
                    }
                    catch (Exception alone) when (alone is not OutOfMemoryException)
                    {
                        Fault(job, alone);
                    }
                }
                if (sound.Count == snapshot.Pending.Count || (sound.Count == 0 && snapshot.Pending.Count > 1))
                {
                    // No job fails alone, or every one does: the fault is the order's, not a job's.
                    faults.Clear();
                    rejections.Clear();
                    throw;
                }
                return cycle.Order.Rank(snapshot with { Pending = sound });
            }
        }

        /// <summary>
        /// Rejects a job whose evaluation threw. What the pass had already counted for it (capacity taken, a reservation)
        /// stays counted: the rest of the pass is only more cautious for it, never placing more than fits.
        /// </summary>
        private void Fault(PendingJob job, Exception e)
        {
            placements.RemoveAll(p => p.JobId == job.Id);
            reasons.Remove(job.Id);
            starts.Remove(job.Id);
            rejections[job.Id] = $"the scheduler cannot evaluate this job: {e.Message}";
            faults[job.Id] = e;
        }

        private Verdict Admit(PendingJob job)
        {
            foreach (var admission in admissions)
            {
                var verdict = admission.Admit(job, ledger);
                if (!verdict.IsOk)
                {
                    return verdict;
                }
            }
            return Verdict.Ok;
        }

        /// <summary>Places the job on the best node that takes it now; else says which nodes refused it (the first three, and how many).</summary>
        private bool TryPlaceNow(PendingJob job, long duration, out Refusals refusals)
        {
            refusals = default;
            if (job.Cpus > maxFree.Cpus + ResourceFitFilter.Epsilon || job.MemoryBytes > maxFree.MemoryBytes || job.Gpus > maxFree.Gpus)
            {
                return false;
            }
            var constraints = ConstraintsOf(job);
            var shape = new Shape(job.Cpus, job.MemoryBytes, job.Gpus, duration, constraints.Text);
            if (failedShapes.Contains(shape))
            {
                return false;
            }
            var end = End(now, duration);
            if (inline && constraints.Refused(shape) && RefusedByFirstNodes(job, end, constraints.Meets, ref refusals))
            {
                refusals.Count = loads.Length;
                failedShapes.Add(shape);
                return false;
            }
            refusals = default;
            var best = -1;
            var bestScore = double.NegativeInfinity;
            var meets = constraints.Meets;
            for (var i = 0; i < loads.Length; i++)
            {
                if (!Passes(job, i, meets))
                {
                    refusals.Add(i);
                    continue;
                }
                if (best >= 0)
                {
                    // The job starts now on some node, so which nodes refuse it no longer matters: a node need only
                    // keep clear of the reservations if it would be the best.
                    var candidate = cycle.Scorer.Score(job, loads[i]);
                    if (candidate > bestScore && ClearOfReservations(job, i, end))
                    {
                        bestScore = candidate;
                        best = i;
                    }
                    continue;
                }
                if (!ClearOfReservations(job, i, end))
                {
                    refusals.Add(i);
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
                if (refusals.Count == loads.Length)
                {
                    constraints.AddRefused(shape);
                }
                return false;
            }
            var load = loads[best];
            var placed = loads[best] = load with
            {
                UsedCpus = load.UsedCpus + job.Cpus,
                UsedMemoryBytes = load.UsedMemoryBytes + job.MemoryBytes,
                UsedGpus = load.UsedGpus + job.Gpus,
            };
            rooms[best] = Room.Of(placed);
            timelines?[best].Take(job.Id, now, end, job.Cpus, job.MemoryBytes, job.Gpus, reservation: false);
            ledger.Add(job);
            placements.Add(new Placement(job.Id, job.Version, load.Node.Name, job.Cpus, job.MemoryBytes) { Gpus = job.Gpus });
            // Only this node changed: while it holds none of the largest free amounts, before or after, they stay as they are.
            if (!(Keeps(load.FreeCpus, placed.FreeCpus, maxFree.Cpus) && Keeps(load.FreeMemoryBytes, placed.FreeMemoryBytes, maxFree.MemoryBytes)
                && Keeps(load.FreeGpus, placed.FreeGpus, maxFree.Gpus)))
            {
                UpdateMaxFree();
            }
            return true;
        }

        /// <summary>
        /// For a request every node must refuse (one no larger and no longer was refused by all): records the nodes its
        /// reason names, as the walk over every node would. False, to walk them all, if one of those takes it after all.
        /// </summary>
        private bool RefusedByFirstNodes(PendingJob job, long end, bool[] meets, ref Refusals refusals)
        {
            for (var i = 0; i < Math.Min(ReasonNodes, loads.Length); i++)
            {
                if (Accepts(job, i, end, meets))
                {
                    return false;
                }
                refusals.Add(i);
            }
            return true;
        }

        /// <summary>Whether node <paramref name="i"/> passes every filter and, with backfill, keeps the job clear of every reservation.</summary>
        private bool Accepts(PendingJob job, int i, long end, bool[] meets) => Passes(job, i, meets) && ClearOfReservations(job, i, end);

        private bool Passes(PendingJob job, int i, bool[] meets) =>
            inline ? PassesBuiltIns(job, rooms[i], meets[i]) : Refuse(job, loads[i]) is null;

        private bool ClearOfReservations(PendingJob job, int i, long end) =>
            timelines is null || timelines[i].Fits(now, end, job.Cpus, job.MemoryBytes, job.Gpus);

        /// <summary>
        /// Exactly what <see cref="ResourceFitFilter"/> and <see cref="ConstraintFilter"/> decide, without the reason's text:
        /// keep in step with them (`GoDocker.Bench cycle --filters=opaque` must plan the same as without).
        /// </summary>
        private bool PassesBuiltIns(PendingJob job, in Room room, bool meetsConstraints) =>
            (!checkResources || (room.Schedulable && !(job.Cpus > room.FreeCpus + ResourceFitFilter.Epsilon)
                && !(job.MemoryBytes > room.FreeMemoryBytes) && !(job.Gpus > room.FreeGpus)))
            && (!checkConstraints || meetsConstraints);

        /// <summary>Why node <paramref name="i"/> refused the job now: a filter's reason, or the reservation in the way.</summary>
        private string Refusal(PendingJob job, int i, long duration) =>
            Refuse(job, loads[i])
            ?? (timelines![i].ReservationIn(now, End(now, duration)) is { } held
                // Not named: the job holding the reservation may be one the reader of this reason may not see.
                ? $"{loads[i].Node.Name} is reserved for an earlier job from {Format(held.From)}"
                : $"{loads[i].Node.Name} is reserved");

        private string Waiting(PendingJob job, long duration, Refusals refusals)
        {
            if (loads.Length == 0)
            {
                return $"waiting for {Wants(job)}: no node is configured";
            }
            if (refusals.Count == 0)
            {
                // A shortcut decided that every node refuses the job now (larger than any free room, or a request
                // shape every node refused earlier in this pass): the reason names the first nodes, as the walk would.
                // Kept per shape, so a deep queue of equal jobs formats it once.
                var key = new Shape(job.Cpus, job.MemoryBytes, job.Gpus, duration, ConstraintsOf(job).Text);
                if (!shortcutReasons.TryGetValue(key, out var reason))
                {
                    var all = default(Refusals);
                    for (var i = 0; i < Math.Min(ReasonNodes, loads.Length); i++)
                    {
                        all.Add(i);
                    }
                    all.Count = loads.Length;
                    shortcutReasons[key] = reason = Named(job, duration, all);
                }
                return reason;
            }
            return Named(job, duration, refusals);
        }

        private string Named(PendingJob job, long duration, Refusals refusals)
        {
            var named = new List<string>(ReasonNodes);
            for (var k = 0; k < Math.Min(ReasonNodes, refusals.Count); k++)
            {
                named.Add(Refusal(job, refusals[k], duration));
            }
            return $"waiting for {Wants(job)} on any node ({string.Join("; ", named)}{(refusals.Count > ReasonNodes ? "; …" : "")})";
        }

        private static string Wants(PendingJob job) =>
            string.Create(CultureInfo.InvariantCulture, $"{job.Cpus:0.###} cpus, {ByteSize.Format(job.MemoryBytes)}")
            + (job.Gpus > 0 ? $", {job.Gpus} gpus" : "");

        /// <summary>Reserves the earliest start any eligible node offers; returns the reason to show, or null when no node ever can.</summary>
        private string? Reserve(PendingJob job, long duration)
        {
            var constraints = inline ? ConstraintsOf(job) : null;
            var request = constraints is null ? default : (BitConverter.DoubleToInt64Bits(job.Cpus), job.MemoryBytes, job.Gpus, constraints);
            if (constraints is not null && neverFits.TryGetValue(request, out var never))
            {
                return never;
            }
            var best = -1;
            var bestStart = long.MaxValue;
            string? ineligible = null;
            var eligible = false;
            var meets = constraints?.Meets;
            for (var i = 0; i < loads.Length; i++)
            {
                // Filters against the node empty: could the job ever run there (labels, size, node accepting)?
                // Only the first refusal is shown: after it, the built-in filters need not say why.
                var empty = new NodeLoad(loads[i].Node, 0, 0);
                if (meets is not null && ineligible is not null)
                {
                    if (!PassesBuiltIns(job, Room.Of(empty), meets[i]))
                    {
                        continue;
                    }
                }
                else if (Refuse(job, empty) is { } refusal)
                {
                    ineligible ??= refusal;
                    continue;
                }
                eligible = true;
                if (timelines![i].EarliestStart(duration, job.Cpus, job.MemoryBytes, job.Gpus) is { } start && start < bestStart)
                {
                    bestStart = start;
                    best = i;
                }
            }
            if (best < 0)
            {
                never = ineligible is null ? null : $"no node can run it now or later ({ineligible})";
                // Every node refused it empty, which nothing in a pass changes: so will they the same request again.
                if (constraints is not null && !eligible && never is not null)
                {
                    neverFits[request] = never;
                }
                return never;
            }
            timelines![best].Take(job.Id, bestStart, End(bestStart, duration), job.Cpus, job.MemoryBytes, job.Gpus, reservation: true);
            reservations++;
            var at = new DateTimeOffset(bestStart, TimeSpan.Zero);
            starts[job.Id] = at;
            return $"waiting for resources: expected to start by {Format(bestStart)} on {loads[best].Node.Name} (reserved)";
        }

        private string? Refuse(PendingJob job, NodeLoad node)
        {
            foreach (var filter in filters)
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

        /// <summary>Whether a largest free amount stays as is when one node's amount goes from before to after.</summary>
        private static bool Keeps<T>(T before, T after, T largest) where T : INumber<T> =>
            after == before || (before < largest && after < largest);

        private void Note(PendingJob job, string reason)
        {
            if (reason != job.CurrentReason)
            {
                reasons[job.Id] = reason;
            }
        }

        /// <summary>The job's constraints with the nodes that meet them, computed once per distinct set of constraints.</summary>
        private ConstraintSet ConstraintsOf(PendingJob job)
        {
            if (job.Constraints.Count == 0)
            {
                return unconstrained;
            }
            if (!constraintSets.TryGetValue(job.Constraints, out var set))
            {
                var constraints = job.Constraints.ToArray();
                var meets = new bool[loads.Length];
                for (var i = 0; i < meets.Length; i++)
                {
                    meets[i] = constraints.All(c => c.IsMetBy(loads[i].Node));
                }
                constraintSets[constraints] = set = new ConstraintSet(string.Join(',', constraints), meets);
            }
            return set;
        }

        private long End(RunningJob job) => End(job.StartedAt.UtcTicks, Duration(job.WalltimeSeconds));

        /// <summary>A walltime in ticks, the default when none; saturating rather than throwing on one no validation would let through.</summary>
        private long Duration(long? seconds) => seconds switch
        {
            null => defaultWalltime,
            <= 0 => 1,
            >= long.MaxValue / TimeSpan.TicksPerSecond => long.MaxValue,
            { } s => s * TimeSpan.TicksPerSecond,
        };

        /// <summary>Start plus duration, at most the last instant a <see cref="DateTimeOffset"/> holds (expected starts and reasons show such times).</summary>
        private static long End(long start, long duration) => start > LastTick - duration ? LastTick : start + duration;

        private static readonly long LastTick = DateTimeOffset.MaxValue.UtcTicks;

        private static string Format(long ticks) =>
            new DateTimeOffset(ticks, TimeSpan.Zero).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private readonly record struct Shape(double Cpus, long MemoryBytes, int Gpus, long Duration, string Constraints);

        /// <summary>A node's free room now, as its <see cref="NodeLoad"/> computes it.</summary>
        private readonly record struct Room(bool Schedulable, double FreeCpus, long FreeMemoryBytes, int FreeGpus)
        {
            public static Room Of(NodeLoad load) => new(load.Node.Schedulable, load.FreeCpus, load.FreeMemoryBytes, load.FreeGpus);
        }

        /// <summary>How many nodes refused a job now, and the first three (those its pending reason names).</summary>
        private struct Refusals
        {
            private int first;
            private int second;
            private int third;

            public int Count { get; set; }

            public readonly int this[int k] => k switch
            {
                0 => first,
                1 => second,
                _ => third,
            };

            public void Add(int node)
            {
                switch (Count)
                {
                    case 0:
                        first = node;
                        break;
                    case 1:
                        second = node;
                        break;
                    case 2:
                        third = node;
                        break;
                }
                Count++;
            }
        }

        /// <summary>
        /// One distinct set of constraints: its text (as in <see cref="Shape"/>), the nodes that meet it, and the requests
        /// every node refused: the minimal ones, since a request at least as large in every respect is refused too.
        /// </summary>
        private sealed class ConstraintSet(string text, bool[] meets)
        {
            private readonly List<Shape> refused = [];

            public string Text { get; } = text;
            public bool[] Meets { get; } = meets;

            public bool Refused(Shape shape)
            {
                foreach (var smaller in refused)
                {
                    if (Covers(smaller, shape))
                    {
                        return true;
                    }
                }
                return false;
            }

            public void AddRefused(Shape shape)
            {
                refused.RemoveAll(larger => Covers(shape, larger));
                refused.Add(shape);
            }

            private static bool Covers(Shape smaller, Shape shape) =>
                smaller.Cpus <= shape.Cpus && smaller.MemoryBytes <= shape.MemoryBytes && smaller.Gpus <= shape.Gpus && smaller.Duration <= shape.Duration;
        }

        /// <summary>Constraint lists as values: equal constraints in the same order are the same set.</summary>
        private sealed class ConstraintListComparer : IEqualityComparer<IReadOnlyList<Constraint>>
        {
            public static readonly ConstraintListComparer Instance = new();

            public bool Equals(IReadOnlyList<Constraint>? x, IReadOnlyList<Constraint>? y) =>
                ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

            public int GetHashCode(IReadOnlyList<Constraint> list)
            {
                var hash = new HashCode();
                foreach (var constraint in list)
                {
                    hash.Add(constraint);
                }
                return hash.ToHashCode();
            }
        }
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
