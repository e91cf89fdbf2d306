using System.Threading.Channels;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.Services;

/// <summary>
/// Stop requests (kill, requeue, walltime, directory size): recorded through the store by whoever asks, and
/// signalled to the executor loop, which applies them to containers (<see cref="ExecutionService"/>) — at once when
/// signalled, else at its next sweep. The one way a stop is requested, so no asker needs the loop itself.
/// </summary>
public sealed class StopRequests(IJobStore store)
{
    private readonly Channel<long> signals = Channel.CreateUnbounded<long>();

    /// <summary>
    /// Records a stop through the store and, when it waits on a container, signals the executor loop.
    /// A job that never started ends at once in the store; the job returned says which.
    /// </summary>
    /// <exception cref="KeyNotFoundException">when the job does not exist.</exception>
    public async Task<Job> RecordAsync(long jobId, StopRequest request, CancellationToken cancellationToken)
    {
        var job = await store.RequestStopAsync(jobId, request, cancellationToken);
        if (job.StopRequested is not null)
        {
            signals.Writer.TryWrite(jobId);
        }
        return job;
    }

    /// <summary>The next job whose stop was recorded and waits on a container (the executor loop reads these).</summary>
    public ValueTask<long> NextAsync(CancellationToken cancellationToken) => signals.Reader.ReadAsync(cancellationToken);
}
