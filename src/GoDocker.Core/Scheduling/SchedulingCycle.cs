using System.Globalization;
using System.Numerics;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// One scheduling pass: snapshot in, plan out, no I/O (DESIGN invariant 2). Order the queue
/// (<see cref="IQueueOrder"/>), then walk it: admit each job (<see cref="IAdmission"/>: holds, dependencies, quotas,
/// array limits), place it on the best node (<see cref="IPlacementScorer"/>) among those that take it
/// (<see cref="NodeLoad.Takes"/>: accepting jobs, the request free) and pass every <see cref="IPlacementFilter"/>,
/// updating the cycle's own view of free capacity and of what each user runs.
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

    /// <summary>The standard filters: node labels against constraints (capacity is the cycle's own rule, <see cref="NodeLoad.Takes"/>).</summary>
    public static IReadOnlyList<IPlacementFilter> StandardFilters { get; } = [new ConstraintFilter()];

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
    /// <item>capacity is checked inline (<see cref="Room"/>), filters by what they declare (<see cref="FilterCaching"/>), and
    /// a refusal's text is built only for the (at most three) nodes a pending reason names, once the job is known not to start;</item>
    /// <item>once some node takes the job, a later node is checked against the reservations only if it scores better;</item>
    /// <item>the nodes passing the <see cref="FilterCaching.NodeAttributes"/> filters are computed once per signature
    /// (a <see cref="FeasibilityClass"/>); a <see cref="FilterCaching.NodeLoad"/> filter's verdict is kept per signature
    /// and node until a placement there changes the node's load; any other filter is asked every time;</item>
    /// <item>for a job whose every filter is settled by its feasibility class: a request at least as large and as long as
    /// one every node already refused is refused by every node again (capacity only shrinks during a pass), so only the
    /// nodes its reason names are asked, and a request no node could take even empty gets the same reason again without
    /// asking them.</item>
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
        // Every filter, in order (for reasons); the NodeAttributes ones, settled per signature by a feasibility class;
        // the others, asked node by node (a NodeLoad one through loadVerdicts).
        private readonly IPlacementFilter[] filters;
        private readonly IPlacementFilter[] classFilters;
        private readonly IPlacementFilter[] askedFilters;
        private readonly Dictionary<object, FeasibilityClass> classes = [];
        private readonly FeasibilityClass? everyNode;
        private readonly Dictionary<(int Filter, object Signature, int Node), (int Version, bool Ok)> loadVerdicts = [];
        // Bumped when a placement changes the node's load (NodeLoad filters' verdicts on it are asked again) or a
        // reservation is made there (reasons naming it are formatted again).
        private readonly int[] versions;
        // What each node has free now, as loads[i] says, kept side by side for the walk over every node.
        private readonly Room[] rooms;
        private readonly List<Placement> placements = [];
        private readonly Dictionary<long, string> reasons;
        private readonly Dictionary<long, string> rejections = [];
        private readonly Dictionary<long, Exception> faults = [];
        private readonly Dictionary<long, DateTimeOffset> starts = [];
        // Request shapes (of settled jobs) that found no node now: capacity only shrinks during a pass, so equal or larger ones won't either.
        private readonly HashSet<Shape> failedShapes = [];
        // "waiting for 2 cpus, 4 GiB: no node has that much free now", by request: most waiting jobs share a few.
        private readonly Dictionary<Shape, (string Reason, int Versions)> shortcutReasons = [];
        // Requests (of settled jobs) that no node could take even empty (so no reservation either), with the reason that says so.
        private readonly Dictionary<(Resources Request, FeasibilityClass Class), string> neverFits = [];
        private Resources maxFree;
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
            classFilters = [.. filters.Where(f => f.Caching == FilterCaching.NodeAttributes)];
            askedFilters = [.. filters.Where(f => f.Caching != FilterCaching.NodeAttributes)];
            everyNode = classFilters.Length == 0 ? new FeasibilityClass([.. Enumerable.Repeat(true, loads.Length)]) : null;
            versions = new int[loads.Length];
            rooms = [.. loads.Select(Room.Of)];
            if (cycle.Options.Backfill)
            {
                var releases = snapshot.Running
                    .GroupBy(r => r.Node, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(r => (End: End(r), r.Held)).ToList(), StringComparer.Ordinal);
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
            var fit = FitOf(job);
            if (TryPlaceNow(job, duration, fit, out var refusals))
            {
                return false;
            }
            var waiting = Waiting(job, duration, fit, refusals);
            if (timelines is null)
            {
                Note(job, waiting);
                return true;
            }
            Note(job, reservations < cycle.Options.Reservations ? Reserve(job, duration, fit) ?? waiting : waiting);
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
        private bool TryPlaceNow(PendingJob job, long duration, Fit fit, out Refusals refusals)
        {
            refusals = default;
            var request = job.Request;
            if (!request.FitsWithin(maxFree))
            {
                return false;
            }
            var shape = new Shape(request, duration, fit.Class);
            var settled = Settled(fit);
            if (settled && failedShapes.Contains(shape))
            {
                return false;
            }
            var end = End(now, duration);
            if (settled && fit.Class!.Refused(shape) && RefusedByFirstNodes(job, end, fit, ref refusals))
            {
                refusals.Count = loads.Length;
                failedShapes.Add(shape);
                return false;
            }
            refusals = default;
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var i = 0; i < loads.Length; i++)
            {
                if (!Passes(job, i, fit))
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
                if (settled)
                {
                    failedShapes.Add(shape);
                    if (refusals.Count == loads.Length)
                    {
                        fit.Class!.AddRefused(shape);
                    }
                }
                return false;
            }
            var load = loads[best];
            var placed = loads[best] = load with { Used = load.Used + request };
            rooms[best] = Room.Of(placed);
            versions[best]++;
            timelines?[best].Take(job.Id, now, end, request, reservation: false);
            ledger.Add(job);
            placements.Add(new Placement(job.Id, job.Version, load.Node.Name, request));
            // Only this node changed: while it holds none of the largest free amounts, before or after, they stay as they are.
            var (before, after) = (load.Free, placed.Free);
            if (!(Keeps(before.Cpus, after.Cpus, maxFree.Cpus) && Keeps(before.MemoryBytes, after.MemoryBytes, maxFree.MemoryBytes)
                && Keeps(before.Gpus, after.Gpus, maxFree.Gpus)))
            {
                UpdateMaxFree();
            }
            return true;
        }

        /// <summary>
        /// For a request every node must refuse (one no larger and no longer was refused by all): records the nodes its
        /// reason names, as the walk over every node would. False, to walk them all, if one of those takes it after all.
        /// </summary>
        private bool RefusedByFirstNodes(PendingJob job, long end, Fit fit, ref Refusals refusals)
        {
            for (var i = 0; i < Math.Min(ReasonNodes, loads.Length); i++)
            {
                if (Passes(job, i, fit) && ClearOfReservations(job, i, end))
                {
                    return false;
                }
                refusals.Add(i);
            }
            return true;
        }

        /// <summary>
        /// Whether node <paramref name="i"/> takes the job now (<see cref="NodeLoad.Takes"/>, on its room) and passes every
        /// filter: those of the job's feasibility class by the class, the others asked (a NodeLoad one once per load).
        /// </summary>
        private bool Passes(PendingJob job, int i, Fit fit)
        {
            if (!rooms[i].Takes(job.Request))
            {
                return false;
            }
            if (fit.Class is { } settledBy ? !settledBy.Ok[i] : !PassesAll(classFilters, job, loads[i]))
            {
                return false;
            }
            for (var k = 0; k < askedFilters.Length; k++)
            {
                if (!Asks(k, job, i, fit))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Asks the <paramref name="k"/>th asked filter, reusing a NodeLoad filter's verdict on this node while its load is unchanged.</summary>
        private bool Asks(int k, PendingJob job, int i, Fit fit)
        {
            var filter = askedFilters[k];
            if (fit.Signatures?[k] is not { } signature)
            {
                return filter.Filter(job, loads[i]).IsOk;
            }
            if (loadVerdicts.TryGetValue((k, signature, i), out var known) && known.Version == versions[i])
            {
                return known.Ok;
            }
            var ok = filter.Filter(job, loads[i]).IsOk;
            loadVerdicts[(k, signature, i)] = (versions[i], ok);
            return ok;
        }

        private static bool PassesAll(IPlacementFilter[] some, PendingJob job, NodeLoad node)
        {
            foreach (var filter in some)
            {
                if (!filter.Filter(job, node).IsOk)
                {
                    return false;
                }
            }
            return true;
        }

        private bool ClearOfReservations(PendingJob job, int i, long end) =>
            timelines is null || timelines[i].Fits(now, end, job.Request);

        /// <summary>
        /// What settles the job's filters: the feasibility class of its signatures under the NodeAttributes filters (null
        /// when one cannot sign it: they are asked), and its signatures under the other filters (null: asked every time).
        /// </summary>
        private Fit FitOf(PendingJob job)
        {
            object?[]? signatures = null;
            for (var k = 0; k < askedFilters.Length; k++)
            {
                if (askedFilters[k].Caching == FilterCaching.NodeLoad && askedFilters[k].Signature(job) is { } signature)
                {
                    (signatures ??= new object?[askedFilters.Length])[k] = signature;
                }
            }
            return new Fit(ClassOf(job), signatures);
        }

        /// <summary>The nodes passing every NodeAttributes filter for the job's signatures, computed once per distinct signatures.</summary>
        private FeasibilityClass? ClassOf(PendingJob job)
        {
            if (everyNode is not null)
            {
                return everyNode;
            }
            object key;
            if (classFilters.Length == 1)
            {
                if (classFilters[0].Signature(job) is not { } signature)
                {
                    return null;
                }
                key = signature;
            }
            else
            {
                var parts = new object[classFilters.Length];
                for (var k = 0; k < parts.Length; k++)
                {
                    if (classFilters[k].Signature(job) is not { } signature)
                    {
                        return null;
                    }
                    parts[k] = signature;
                }
                key = new Signatures(parts);
            }
            if (!classes.TryGetValue(key, out var found))
            {
                var ok = new bool[loads.Length];
                for (var i = 0; i < ok.Length; i++)
                {
                    ok[i] = PassesAll(classFilters, job, loads[i]);
                }
                classes[key] = found = new FeasibilityClass(ok);
            }
            return found;
        }

        /// <summary>Whether the job's feasibility class alone settles its filters: then its refusals may be reused (see the remarks).</summary>
        private bool Settled(Fit fit) => fit.Class is not null && askedFilters.Length == 0;

        /// <summary>Why node <paramref name="i"/> refused the job now: a filter's reason, or the reservation in the way.</summary>
        private string Refusal(PendingJob job, int i, long duration) =>
            Refuse(job, loads[i])
            ?? (timelines![i].ReservationIn(now, End(now, duration)) is { } held
                // Not named: the job holding the reservation may be one the reader of this reason may not see.
                ? $"{loads[i].Node.Name} is reserved for an earlier job from {Format(held.From)}"
                : $"{loads[i].Node.Name} is reserved");

        private string Waiting(PendingJob job, long duration, Fit fit, Refusals refusals)
        {
            if (loads.Length == 0)
            {
                return $"waiting for {job.Request}: no node is configured";
            }
            if (refusals.Count == 0)
            {
                // A shortcut decided that every node refuses the job now (larger than any free room, or a request
                // shape every node refused earlier in this pass): the reason names the first nodes, as the walk would.
                // Kept per shape while those nodes are unchanged, so a deep queue of equal jobs formats it once.
                var all = default(Refusals);
                for (var i = 0; i < Math.Min(ReasonNodes, loads.Length); i++)
                {
                    all.Add(i);
                }
                all.Count = loads.Length;
                if (fit.Class is null)
                {
                    return Named(job, duration, all);
                }
                var key = new Shape(job.Request, duration, fit.Class);
                var named = NamedVersions();
                if (!shortcutReasons.TryGetValue(key, out var known) || known.Versions != named)
                {
                    shortcutReasons[key] = known = (Named(job, duration, all), named);
                }
                return known.Reason;
            }
            return Named(job, duration, refusals);
        }

        /// <summary>How often the nodes a reason names have changed (versions only grow, so an equal sum means none did).</summary>
        private int NamedVersions()
        {
            var sum = 0;
            for (var i = 0; i < Math.Min(ReasonNodes, loads.Length); i++)
            {
                sum += versions[i];
            }
            return sum;
        }

        private string Named(PendingJob job, long duration, Refusals refusals)
        {
            var named = new List<string>(ReasonNodes);
            for (var k = 0; k < Math.Min(ReasonNodes, refusals.Count); k++)
            {
                named.Add(Refusal(job, refusals[k], duration));
            }
            return $"waiting for {job.Request} on any node ({string.Join("; ", named)}{(refusals.Count > ReasonNodes ? "; …" : "")})";
        }

        /// <summary>Reserves the earliest start any eligible node offers; returns the reason to show, or null when no node ever can.</summary>
        private string? Reserve(PendingJob job, long duration, Fit fit)
        {
            var settledBy = Settled(fit) ? fit.Class : null;
            var request = job.Request;
            if (settledBy is not null && neverFits.TryGetValue((request, settledBy), out var never))
            {
                return never;
            }
            var best = -1;
            var bestStart = long.MaxValue;
            string? ineligible = null;
            string? awaited = null;
            var eligible = false;
            for (var i = 0; i < loads.Length; i++)
            {
                // The node empty: could the job ever run there (node accepting, size, filters)? Only the first refusal is
                // shown: after it, a job its feasibility class settles need not say why.
                var empty = new NodeLoad(loads[i].Node, Resources.None);
                // A node that takes no jobs now (drained, unreachable, in error) but could run this one once it does: the
                // job waits for it, which is not "never".
                if (awaited is null && !empty.Node.Schedulable && Refuse(job, empty with { Node = empty.Node with { Schedulable = true } }) is null)
                {
                    awaited = empty.Refusal(request);
                }
                if (settledBy is not null && ineligible is not null)
                {
                    if (!(empty.Takes(request) && settledBy.Ok[i]))
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
                if (timelines![i].EarliestStart(duration, request) is { } start && start < bestStart)
                {
                    bestStart = start;
                    best = i;
                }
            }
            if (best < 0 && !eligible && awaited is not null)
            {
                // As lasting as "never" for this cycle (no node's schedulability changes within it): kept the same way.
                var waiting = $"waiting for a node that takes no jobs now ({awaited})";
                if (settledBy is not null)
                {
                    neverFits[(request, settledBy)] = waiting;
                }
                return waiting;
            }
            if (best < 0)
            {
                never = ineligible is null ? null : $"no node can run it now or later ({ineligible})";
                // Every node refused it empty, which nothing in a pass changes: so will they the same request again.
                if (settledBy is not null && !eligible && never is not null)
                {
                    neverFits[(request, settledBy)] = never;
                }
                return never;
            }
            timelines![best].Take(job.Id, bestStart, End(bestStart, duration), request, reservation: true);
            // The node's reasons change (it is reserved now): those named from it are formatted again.
            versions[best]++;
            reservations++;
            var at = new DateTimeOffset(bestStart, TimeSpan.Zero);
            starts[job.Id] = at;
            return $"waiting for resources: expected to start by {Format(bestStart)} on {loads[best].Node.Name} (reserved)";
        }

        /// <summary>Why the node refuses the job: its capacity (<see cref="NodeLoad.Refusal"/>), else the first filter that does.</summary>
        private string? Refuse(PendingJob job, NodeLoad node)
        {
            if (node.Refusal(job.Request) is { } capacity)
            {
                return capacity;
            }
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
            maxFree = Resources.None;
            foreach (var load in loads)
            {
                if (load.Node.Schedulable)
                {
                    maxFree = Resources.Max(maxFree, load.Free);
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

        private readonly record struct Shape(Resources Request, long Duration, FeasibilityClass? Class);

        /// <summary>What settles a job's filters (see <see cref="FitOf"/>).</summary>
        private readonly record struct Fit(FeasibilityClass? Class, object?[]? Signatures);

        /// <summary>A node's free room now, as its <see cref="NodeLoad"/> computes it; <see cref="Takes"/> is <see cref="NodeLoad.Takes"/>.</summary>
        private readonly record struct Room(bool Schedulable, Resources Free)
        {
            public static Room Of(NodeLoad load) => new(load.Node.Schedulable, load.Free);

            public bool Takes(Resources request) => Schedulable && request.FitsWithin(Free);
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
        /// The nodes passing every NodeAttributes filter for one set of job signatures (Nomad's feasibility class for a
        /// computed node class), and the requests every node refused: the minimal ones, since a request at least as large
        /// in every respect and as long is refused too.
        /// </summary>
        private sealed class FeasibilityClass(bool[] ok)
        {
            private readonly List<Shape> refused = [];

            public bool[] Ok { get; } = ok;

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

            private static bool Covers(Shape smaller, Shape shape) => shape.Request.Covers(smaller.Request) && smaller.Duration <= shape.Duration;
        }

        /// <summary>The signatures of a job under several NodeAttributes filters, as one value.</summary>
        private sealed class Signatures(object[] parts) : IEquatable<Signatures>
        {
            private readonly object[] parts = parts;

            public bool Equals(Signatures? other) => other is not null && parts.AsSpan().SequenceEqual(other.parts);

            public override bool Equals(object? obj) => Equals(obj as Signatures);

            public override int GetHashCode()
            {
                var hash = new HashCode();
                foreach (var part in parts)
                {
                    hash.Add(part);
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
