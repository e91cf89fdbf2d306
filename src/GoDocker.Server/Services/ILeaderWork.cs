using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// Work only the leader does (schedule, launch and watch containers, recover, watchers): run for one term, from
/// the lease's acquisition until it is lost or the server stops, when <paramref name="stoppingToken"/> is cancelled.
/// A new term in the same process runs it again from the start (recovery first), as a fresh process would.
/// </summary>
public interface ILeaderWork
{
    /// <summary>A short name for logs ("scheduler", "executor").</summary>
    string Name { get; }

    Task RunAsync(Leadership term, CancellationToken stoppingToken);
}
