namespace GoDocker.Server.Services;

/// <summary>Re-reads every node's capacity and reachability periodically, so an engine that comes back is used again.</summary>
public sealed class NodeRefreshService(NodeRegistry nodes, TimeProvider time, ILogger<NodeRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await nodes.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "node refresh failed");
            }
        }
    }
}
