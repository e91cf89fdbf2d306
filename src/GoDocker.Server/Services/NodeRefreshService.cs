namespace GoDocker.Server.Services;

/// <summary>Reads every node's capacity and reachability at start and every 10 s, so an engine that comes back is used again.</summary>
public sealed class NodeRefreshService(NodeRegistry nodes, TimeProvider time, ILogger<NodeRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10), time);
        // At once first: a server that does not lead (the leader's recovery refreshes its own) still shows its nodes.
        var first = true;
        while (first || await timer.WaitForNextTickAsync(stoppingToken))
        {
            first = false;
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
