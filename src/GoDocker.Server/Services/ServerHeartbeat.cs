using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// Keeps this server in the registry of servers sharing the database (for `godocker health`): registered at start,
/// a heartbeat every two seconds (registering again if it was forgotten), unregistered at a clean stop.
/// </summary>
public sealed class ServerHeartbeat(IServerRegistry registry, LeaderElection election, string address, TimeProvider time, ILogger<ServerHeartbeat> logger)
    : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                registered = registered && await registry.HeartbeatAsync(election.ServerId, stoppingToken);
                if (!registered)
                {
                    await registry.RegisterAsync(election.ServerId, address, stoppingToken);
                    registered = true;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("server registry: cannot record this server ({Error}); retrying", e.Message);
                registered = false;
            }
            try
            {
                await Task.Delay(Every, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await registry.UnregisterAsync(election.ServerId, stop.Token);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "server registry: unregistering failed; the entry ages out");
        }
    }
}
