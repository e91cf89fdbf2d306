using GoDocker.Jobs;

namespace GoDocker.Scheduling;

/// <summary>
/// What the jobs holding resources (<see cref="JobStateExtensions.HoldsResources"/>: scheduled, running, suspended)
/// hold on each node: the one sum the scheduler's snapshot, the store's re-check of a plan and GET /nodes all use.
/// </summary>
public static class NodeUsage
{
    /// <summary>The sum of <paramref name="held"/> per node (nodes holding nothing are absent: read them as <see cref="Resources.None"/>).</summary>
    public static Dictionary<string, Resources> Of(IEnumerable<(string Node, Resources Held)> held)
    {
        var usage = new Dictionary<string, Resources>(StringComparer.Ordinal);
        foreach (var (node, resources) in held)
        {
            usage[node] = usage.GetValueOrDefault(node) + resources;
        }
        return usage;
    }

    /// <summary>What the jobs of the snapshot's running list hold per node.</summary>
    public static Dictionary<string, Resources> Of(IEnumerable<RunningJob> running) => Of(running.Select(r => (r.Node, r.Held)));

    /// <summary>What the jobs that hold resources among <paramref name="jobs"/> hold per node (jobs in other states, or on no node, count for nothing).</summary>
    public static Dictionary<string, Resources> Of(IEnumerable<Job> jobs) =>
        Of(jobs.Where(j => j.State.HoldsResources() && j.Node is not null).Select(j => (j.Node!, j.Spec.Resources)));
}
