using GoDocker.Server.Configuration;
using GoDocker.Storage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Every server runs this; the one holding the lease (<see cref="ILeaderLease"/>: in the database for several
/// servers, always this process in embedded mode) runs the <see cref="ILeaderWork"/> for as long as it keeps it.
/// The lease is renewed every third of its time to live; a renewal that fails (expired, taken over, or the database
/// unreachable until the lease ran out) ends the term at once: the work is cancelled and awaited before this server
/// competes again, so two terms never overlap in one process, and the fencing token keeps a paused old leader's
/// writes out of the store. Others try to take the lease every second, so a dead leader is replaced within its time
/// to live plus a second.
/// </summary>
public sealed class LeaderElection(
    ILeaderLease lease,
    IEnumerable<ILeaderWork> work,
    TimeProvider time,
    IOptions<GoDockerOptions> options,
    ILogger<LeaderElection> logger) : BackgroundService
{
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(1);
    private volatile Leadership? current;

    /// <summary>This server's term while it leads; null while another server leads (or none does).</summary>
    public Leadership? Current => current;

    /// <summary>The holder id this server competes under.</summary>
    public string ServerId => lease.Holder;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var renewEvery = options.Value.Cluster.LeaseTime / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            Leadership? term;
            try
            {
                term = await lease.TryAcquireAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("leader lease: cannot reach the database to compete ({Error}); retrying", e.Message);
                term = null;
            }
            if (term is null)
            {
                await DelayAsync(Attempt, stoppingToken);
                continue;
            }
            await LeadAsync(term, renewEvery, stoppingToken);
        }
    }

    private async Task LeadAsync(Leadership term, TimeSpan renewEvery, CancellationToken stoppingToken)
    {
        logger.LogInformation("leading (term {Token}): scheduling and recovering", term.Token);
        current = term;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = work.Select(w => RunOneAsync(w, term, ending.Token)).ToList();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await DelayAsync(renewEvery, stoppingToken);
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                Leadership? renewed;
                try
                {
                    renewed = await lease.RenewAsync(term, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database is away: keep leading while the lease may still be live; the next renewal decides.
                    logger.LogWarning("leader lease: renewal failed ({Error})", e.Message);
                    if (time.GetUtcNow() < term.ExpiresAt)
                    {
                        continue;
                    }
                    renewed = null;
                }
                if (renewed is null)
                {
                    logger.LogWarning("leader lease lost (term {Token}): stopping the scheduler and executors", term.Token);
                    break;
                }
                term = renewed;
                current = term;
            }
        }
        finally
        {
            current = null;
            await ending.CancelAsync();
            await Task.WhenAll(running);
            if (stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // A clean stop hands over at once instead of letting the lease run out.
                    using var release = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    await lease.ReleaseAsync(term, release.Token);
                }
                catch (Exception e)
                {
                    logger.LogWarning("leader lease: release failed ({Error}); it expires by itself", e.Message);
                }
            }
        }
    }

    private async Task RunOneAsync(ILeaderWork one, Leadership term, CancellationToken cancellationToken)
    {
        try
        {
            await one.RunAsync(term, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "leader work {Work} stopped with an error", one.Name);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
