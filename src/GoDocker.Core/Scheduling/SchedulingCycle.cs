using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// One scheduling pass: snapshot in, plan out, no I/O (DESIGN invariant 2).
/// Order the queue, then walk it: place each job on the best node that passes every filter, updating
/// the cycle's own view of free capacity. Without backfill, the first job that does not fit blocks the
/// ones behind it (Slurm's main scheduler does the same), so a large job is never starved by small ones.
/// </summary>
public sealed class SchedulingCycle(IQueueOrder order, IReadOnlyList<IPlacementFilter> filters, IPlacementScorer scorer)
{
    public IQueueOrder Order { get; } = order;

    public Plan Run(SchedulingSnapshot snapshot)
    {
        if (snapshot.Pending.Count == 0)
        {
            return Plan.Empty;
        }
        var loads = snapshot.Nodes.ToDictionary(n => n.Node.Name, n => n);
        var placements = new List<Placement>();
        var reasons = new Dictionary<long, string>();
        PendingJob? blocker = null;

        foreach (var job in Order.Order(snapshot))
        {
            string reason;
            if (blocker is not null)
            {
                reason = $"queued behind job {blocker.Id}, which waits for resources";
            }
            else if (TryPlace(job, loads.Values, out var best, out reason))
            {
                placements.Add(new Placement(job.Id, job.Version, best.Node.Name, job.Cpus, job.MemoryBytes));
                loads[best.Node.Name] = best with
                {
                    UsedCpus = best.UsedCpus + job.Cpus,
                    UsedMemoryBytes = best.UsedMemoryBytes + job.MemoryBytes,
                };
                continue;
            }
            else
            {
                blocker = job;
            }
            if (reason != job.CurrentReason)
            {
                reasons[job.Id] = reason;
            }
        }
        return new Plan(placements, reasons);
    }

    private bool TryPlace(PendingJob job, IEnumerable<NodeLoad> nodes, out NodeLoad best, out string reason)
    {
        best = null!;
        var bestScore = double.NegativeInfinity;
        var refusals = new List<string>();
        foreach (var node in nodes.OrderBy(n => n.Node.Name, StringComparer.Ordinal))
        {
            var verdict = Verdict.Ok;
            foreach (var filter in filters)
            {
                verdict = filter.Filter(job, node);
                if (!verdict.IsOk)
                {
                    break;
                }
            }
            if (!verdict.IsOk)
            {
                refusals.Add(verdict.Reason ?? "refused");
                continue;
            }
            var score = scorer.Score(job, node);
            if (score > bestScore)
            {
                bestScore = score;
                best = node;
            }
        }
        if (best is not null)
        {
            reason = "";
            return true;
        }
        var wants = string.Create(CultureInfo.InvariantCulture, $"{job.Cpus:0.###} cpus, {ByteSize.Format(job.MemoryBytes)}");
        reason = refusals.Count == 0
            ? $"waiting for a node ({wants}): no node is configured"
            : $"waiting for {wants} on any node ({string.Join("; ", refusals.Take(3))}{(refusals.Count > 3 ? "; …" : "")})";
        return false;
    }
}
