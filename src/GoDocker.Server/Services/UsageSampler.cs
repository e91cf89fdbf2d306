using System.Collections.Concurrent;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Samples the containers of running jobs on the leader, every Monitoring:SampleInterval, and keeps each attempt's bounded
/// series (<see cref="UsageSeries"/>) in memory and in the store. The executor tells it which containers to watch
/// (<see cref="Watch"/>, right after a start or a re-attach, which also takes a first sample so a short job gets one) and
/// when to stop (<see cref="Forget"/>). A new leader's executor re-attaches the running containers, and their series
/// continue from the store: only the gap between leaders is lost. Samples go out with bounded concurrency, each a single
/// engine request with a time-out, and a round is written in one store transaction: it never blocks the scheduler or
/// the executor, and an engine that does not answer only loses that round's samples.
/// </summary>
public sealed class UsageSampler(
    IUsageStore store,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    ILogger<UsageSampler> logger) : ILeaderWork, IAttemptUsage, IDisposable
{
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<(long JobId, int Attempt), Watched> watched = new();
    private readonly SemaphoreSlim concurrency = new(Math.Max(1, options.Value.Monitoring.MaxConcurrentSamples));
    private readonly TimeSpan? interval = options.Value.Monitoring.Interval;
    private readonly int capacity = options.Value.Monitoring.MaxPoints;

    public string Name => "sampler";

    /// <summary>False when Monitoring:SampleInterval is off: nothing is watched or measured.</summary>
    public bool Enabled => interval is not null;

    public async Task RunAsync(Leadership term, CancellationToken stoppingToken)
    {
        if (interval is not { } every)
        {
            return;
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(every, time, stoppingToken);
                await SampleRoundAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The term is over: the next term's executor re-attaches what still runs, and its series resume from the store.
            watched.Clear();
        }
    }

    /// <summary>
    /// Watches the container of <paramref name="job"/>'s current attempt on <paramref name="executor"/> until
    /// <see cref="Forget"/>, and takes a first sample now (in the background) under <paramref name="termToken"/>.
    /// </summary>
    public void Watch(IExecutor executor, Job job, string containerId, CancellationToken termToken)
    {
        if (!Enabled)
        {
            return;
        }
        var entry = new Watched(executor, job.Id, job.Attempt, containerId, job.StartedAt);
        watched[(job.Id, job.Attempt)] = entry;
        _ = Task.Run(async () =>
        {
            try
            {
                await SampleAndSaveAsync([entry], termToken);
            }
            catch (OperationCanceledException) when (termToken.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);
    }

    /// <summary>Stops watching the attempt (its container ended): what it measured stays in the store.</summary>
    public void Forget(long jobId, int attempt) => watched.TryRemove((jobId, attempt), out _);

    /// <summary>What the attempt uses now, when this server watches it; null otherwise.</summary>
    public LiveUsage? Live(long jobId, int attempt)
    {
        if (!watched.TryGetValue((jobId, attempt), out var entry))
        {
            return null;
        }
        lock (entry)
        {
            return entry.Series?.Live;
        }
    }

    public async ValueTask<MeasuredUsage?> MeasuredAsync(long jobId, int attempt, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }
        if (watched.TryGetValue((jobId, attempt), out var entry))
        {
            lock (entry)
            {
                if (entry.Series is { } series)
                {
                    return series.Measured();
                }
            }
        }
        var kept = await store.ReadUsageAsync(jobId, attempt, null, cancellationToken);
        return UsageSeries.Summarize([.. kept.Select(p => p.Point)]);
    }

    private Task SampleRoundAsync(CancellationToken cancellationToken) => SampleAndSaveAsync([.. watched.Values], cancellationToken);

    /// <summary>
    /// Samples the attempts, then writes what changed in one transaction. Each attempt's gate is held from its sample to
    /// the write, so two writes of one series never cross; an attempt being sampled already is skipped.
    /// </summary>
    private async Task SampleAndSaveAsync(IReadOnlyList<Watched> entries, CancellationToken cancellationToken)
    {
        var held = new ConcurrentBag<Watched>();
        var writes = new ConcurrentBag<(Watched, UsageWrite)>();
        try
        {
            await Parallel.ForEachAsync(entries, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = 64 },
                async (entry, token) =>
                {
                    if (!entry.Gate.Wait(0, CancellationToken.None))
                    {
                        return;
                    }
                    held.Add(entry);
                    await concurrency.WaitAsync(token);
                    try
                    {
                        if (await SampleAsync(entry, token) is { } write)
                        {
                            writes.Add((entry, write));
                        }
                    }
                    finally
                    {
                        concurrency.Release();
                    }
                });
            await SaveAsync([.. writes], cancellationToken);
        }
        finally
        {
            foreach (var entry in held)
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>One sample of one attempt, added to its series (loaded from the store the first time); null when none was taken.</summary>
    private async Task<UsageWrite?> SampleAsync(Watched entry, CancellationToken cancellationToken)
    {
        try
        {
            if (entry.Series is null)
            {
                var kept = await store.ReadUsageAsync(entry.JobId, entry.Attempt, null, cancellationToken);
                var series = UsageSeries.Resume(entry.JobId, entry.Attempt, capacity, entry.StartedAt, [.. kept.Select(p => p.Point)]);
                lock (entry)
                {
                    entry.Series = series;
                }
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SampleTimeout);
            var sample = await entry.Executor.SampleAsync(entry.ContainerId, timeout.Token);
            if (sample is null)
            {
                return null;
            }
            lock (entry)
            {
                return entry.Series!.Add(sample);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A container gone or an engine away: this round has no sample of it; the next tries again.
            logger.LogDebug(e, "job {JobId}: no usage sample from node {Node} this time", entry.JobId, entry.Executor.NodeName);
            return null;
        }
    }

    private async Task SaveAsync(IReadOnlyList<(Watched Entry, UsageWrite Write)> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }
        try
        {
            await store.WriteUsageAsync([.. writes.Select(w => w.Write)], cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("usage: {Count} samples not kept ({Error}); their series are written whole next time", writes.Count, e.Message);
            foreach (var (entry, _) in writes)
            {
                lock (entry)
                {
                    entry.Series?.WriteLost();
                }
            }
        }
    }

    public void Dispose() => concurrency.Dispose();

    /// <summary>An attempt's container being watched, and its series once loaded.</summary>
    private sealed class Watched(IExecutor executor, long jobId, int attempt, string containerId, DateTimeOffset? startedAt)
    {
        public IExecutor Executor { get; } = executor;
        public long JobId { get; } = jobId;
        public int Attempt { get; } = attempt;
        public string ContainerId { get; } = containerId;
        public DateTimeOffset? StartedAt { get; } = startedAt;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public UsageSeries? Series { get; set; }
    }
}
