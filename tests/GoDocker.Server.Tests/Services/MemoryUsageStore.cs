using GoDocker.Storage;
using GoDocker.Usage;

namespace GoDocker.Server.Tests.Services;

/// <summary>Kept usage series in memory, as the stores keep them (their contract tests prove both alike): for tests about the sampler.</summary>
internal sealed class MemoryUsageStore : IUsageStore
{
    private readonly Dictionary<(long JobId, int Attempt), List<UsagePoint>> series = [];

    public int Writes { get; private set; }

    public ValueTask WriteUsageAsync(IReadOnlyList<UsageWrite> writes, CancellationToken cancellationToken)
    {
        lock (series)
        {
            Writes++;
            foreach (var write in writes)
            {
                var points = series.TryGetValue((write.JobId, write.Attempt), out var kept) ? kept : series[(write.JobId, write.Attempt)] = [];
                points.RemoveRange(Math.Min(write.FromIndex, points.Count), points.Count - Math.Min(write.FromIndex, points.Count));
                points.AddRange(write.Points);
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<AttemptUsagePoint>> ReadUsageAsync(long jobId, int? attempt, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        lock (series)
        {
            IReadOnlyList<AttemptUsagePoint> points = [.. series
                .Where(s => s.Key.JobId == jobId && (attempt is null || s.Key.Attempt == attempt))
                .OrderBy(s => s.Key.Attempt)
                .SelectMany(s => s.Value.Select((p, i) => new AttemptUsagePoint(s.Key.Attempt, i, p)))
                .Where(p => since is null || p.Point.At > since)];
            return ValueTask.FromResult(points);
        }
    }
}
