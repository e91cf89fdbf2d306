using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// Why a pending job waits, as a closed set a metric, a UI filter or an alert can count on (the reason's sentence stays
/// what people read). Named after what a person would do about it: release a hold, wait for a dependency, raise a quota,
/// free or add capacity, fix or resume a node.
/// </summary>
public enum PendingKind
{
    /// <summary>Not yet looked at by a cycle: just submitted, released or requeued.</summary>
    Scheduler,

    /// <summary>Held by its owner or an administrator.</summary>
    Held,

    /// <summary>A job it depends on has not ended as it needs yet.</summary>
    Dependency,

    /// <summary>A user or project quota (running jobs, cpus, memory, gpus, cpu-hours) is used up.</summary>
    Quota,

    /// <summary>Its array's %N limit of tasks running at once is reached.</summary>
    ArrayLimit,

    /// <summary>An earlier job (higher priority) waits for resources and is not overtaken.</summary>
    Priority,

    /// <summary>No node has the resources free now (or a reservation holds them); it starts when they free up.</summary>
    Resources,

    /// <summary>No node could run it even empty (its constraints, its size): it waits until the nodes change.</summary>
    Unplaceable,

    /// <summary>The nodes that could run it take no jobs now (drained, down, unreachable, recovering), or none is configured.</summary>
    NodeUnavailable,

    /// <summary>The job directories' filesystem is below the site's free-space floor: nothing launches.</summary>
    DiskSpace,

    /// <summary>A reason none of the above knows (a plugin's own): counted, never dropped.</summary>
    Other,
}

/// <summary>
/// The <see cref="PendingKind"/> of a pending reason. The sentences are built by the admissions, the cycle and
/// <see cref="JobLifecycle"/>; this is the one place that reads them back, by their fixed openings, and its table test
/// (PendingKindsTests) builds its sentences with those same producers where they are public, so a changed sentence fails there.
/// </summary>
public static class PendingKinds
{
    /// <summary>The kind of <paramref name="reason"/>; <see cref="PendingKind.Scheduler"/> for a job with none yet.</summary>
    public static PendingKind Of(string? reason)
    {
        // A requeue's own reason ("requeued by alice", "requeued: node n1 is down …") waits for the next cycle too.
        if (string.IsNullOrEmpty(reason) || reason.EndsWith("waiting for the scheduler", StringComparison.Ordinal)
            || reason.StartsWith("requeued", StringComparison.Ordinal))
        {
            return PendingKind.Scheduler;
        }
        return reason switch
        {
            _ when reason.StartsWith("held by ", StringComparison.Ordinal) => PendingKind.Held,
            _ when reason.StartsWith("dependency ", StringComparison.Ordinal) => PendingKind.Dependency,
            _ when reason.StartsWith("user quota", StringComparison.Ordinal)
                || reason.StartsWith("project quota", StringComparison.Ordinal) => PendingKind.Quota,
            _ when reason.StartsWith("array ", StringComparison.Ordinal) && reason.Contains(" tasks running (%", StringComparison.Ordinal) => PendingKind.ArrayLimit,
            _ when reason.StartsWith("queued behind ", StringComparison.Ordinal) => PendingKind.Priority,
            _ when reason.StartsWith("waiting for a node that takes no jobs", StringComparison.Ordinal)
                || reason.EndsWith(": no node is configured", StringComparison.Ordinal)
                || (reason.StartsWith("node ", StringComparison.Ordinal) && reason.EndsWith("waiting for a node to take it", StringComparison.Ordinal))
                => PendingKind.NodeUnavailable,
            _ when reason.StartsWith("no node can run it", StringComparison.Ordinal) => PendingKind.Unplaceable,
            _ when reason.StartsWith("waiting: ", StringComparison.Ordinal) => PendingKind.DiskSpace,
            _ when reason.StartsWith("waiting for ", StringComparison.Ordinal) => PendingKind.Resources,
            _ => PendingKind.Other,
        };
    }

    /// <summary>
    /// How many of <paramref name="pending"/> (a cycle's input) stay pending after <paramref name="plan"/>, per kind of the
    /// reason each then carries (the plan's when it changed it, else the one it had). Placed and rejected jobs count for none.
    /// </summary>
    public static Dictionary<PendingKind, int> Count(IReadOnlyList<PendingJob> pending, Plan plan)
    {
        var placed = plan.Placements.Count == 0 ? null : plan.Placements.Select(p => p.JobId).ToHashSet();
        var counts = new Dictionary<PendingKind, int>();
        // Reasons repeat (one sentence for many jobs behind the same blocker): each distinct one is classified once.
        var kinds = new Dictionary<string, PendingKind>(StringComparer.Ordinal);
        foreach (var job in pending)
        {
            if (placed?.Contains(job.Id) == true || plan.Rejections.ContainsKey(job.Id))
            {
                continue;
            }
            var reason = plan.PendingReasons.GetValueOrDefault(job.Id) ?? job.CurrentReason ?? "";
            if (!kinds.TryGetValue(reason, out var kind))
            {
                kinds[reason] = kind = Of(reason);
            }
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }
        return counts;
    }

    /// <summary>The label value: snake case, as Prometheus labels are written (node_unavailable).</summary>
    public static string Label(this PendingKind kind) => kind switch
    {
        PendingKind.Scheduler => "scheduler",
        PendingKind.Held => "held",
        PendingKind.Dependency => "dependency",
        PendingKind.Quota => "quota",
        PendingKind.ArrayLimit => "array_limit",
        PendingKind.Priority => "priority",
        PendingKind.Resources => "resources",
        PendingKind.Unplaceable => "unplaceable",
        PendingKind.NodeUnavailable => "node_unavailable",
        PendingKind.DiskSpace => "disk_space",
        _ => "other",
    };
}
