using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Storage;
using GoDocker.Usage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// A job's measured usage (as Slurm's sstat while it runs, its series for charts): the kept points from the store, which
/// every server reads, and what it uses now from the sampler when this server is the leader watching it (else from its
/// last two points). The caller has been allowed to see the job.
/// </summary>
public sealed class JobUsageReport(IUsageStore store, UsageSampler sampler)
{
    /// <summary>
    /// The summary and live figures of <paramref name="attempt"/> (the job's current one when null), and the points of that
    /// attempt or, when none is given, of every attempt; only those after <paramref name="since"/> when given.
    /// </summary>
    public async Task<JobUsageView> ForAsync(Job job, int? attempt, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var selected = attempt ?? job.Attempt;
        var kept = await store.ReadUsageAsync(job.Id, attempt, null, cancellationToken);
        var ofSelected = kept.Where(p => p.Attempt == selected).Select(p => p.Point).ToList();
        // The job's start is its current attempt's; an earlier attempt's rates count from its first point.
        var startedAt = selected == job.Attempt ? job.StartedAt : null;
        UsageSummaryView? summary = null;
        if (UsageSeries.Summarize(ofSelected) is { } measured)
        {
            summary = UsageSummaryView.From(selected, measured, startedAt);
            if (startedAt is null && ofSelected.Count > 1)
            {
                summary = summary with { AverageCpu = ofSelected[^1].CpuCoresSince(ofSelected[0], null) };
            }
        }
        LiveUsageView? live = null;
        if (selected == job.Attempt && job.State is JobState.Running or JobState.Suspended)
        {
            live = sampler.Live(job.Id, selected) is { } now
                ? new LiveUsageView(now.At, now.CpuCores, now.RssBytes, now.CacheBytes, now.Pids)
                : ofSelected.Count > 0
                    ? new LiveUsageView(ofSelected[^1].At, ofSelected[^1].CpuCoresSince(ofSelected.Count > 1 ? ofSelected[^2] : null, startedAt),
                        ofSelected[^1].MaxRssBytes, ofSelected[^1].CacheBytes, ofSelected[^1].MaxPids)
                    : null;
        }
        var points = new List<UsagePointView>();
        for (var i = 0; i < kept.Count; i++)
        {
            var (pointAttempt, point) = (kept[i].Attempt, kept[i].Point);
            var before = i > 0 && kept[i - 1].Attempt == pointAttempt ? kept[i - 1].Point : null;
            if (since is { } after && point.At <= after)
            {
                continue;
            }
            points.Add(new UsagePointView(pointAttempt, point.At, point.Samples, point.CpuSeconds,
                point.CpuCoresSince(before, pointAttempt == job.Attempt ? job.StartedAt : null),
                point.MaxRssBytes, point.CacheBytes, point.MaxPids, point.BlockReadBytes, point.BlockWriteBytes,
                point.NetworkReceivedBytes, point.NetworkSentBytes));
        }
        return new JobUsageView(job.Id, job.State.ToString(), selected, job.Spec.MemoryBytes, summary, live, points);
    }
}
