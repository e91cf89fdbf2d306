using System.Globalization;

namespace GoDocker.Executors.Docker;

/// <summary>How a job's container is named and labelled, so launching is idempotent and recovery finds it.</summary>
internal static class ContainerLabels
{
    public const string Instance = "godocker.instance";
    public const string Job = "godocker.job";
    public const string Attempt = "godocker.attempt";
    public const string Owner = "godocker.owner";
    /// <summary>
    /// The cpus a pinned job's container holds ("0-1"), written in the same create as its CpusetCpus: what the next
    /// launch on the node (after a restart or a failover too) reads from the engine's container list to keep cpu sets
    /// disjoint. Never a user's: job labels may not start with godocker (JobSpecValidator).
    /// </summary>
    public const string Cpus = "godocker.cpus";

    public static string Name(string instanceId, long jobId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"godocker-{instanceId}-{jobId}-{attempt}");

    public static bool TryParse(IDictionary<string, string>? labels, string instanceId, out long jobId, out int attempt)
    {
        jobId = 0;
        attempt = 0;
        return labels is not null
            && labels.TryGetValue(Instance, out var instance) && instance == instanceId
            && labels.TryGetValue(Job, out var job) && long.TryParse(job, NumberStyles.None, CultureInfo.InvariantCulture, out jobId)
            && labels.TryGetValue(Attempt, out var a) && int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out attempt);
    }
}
