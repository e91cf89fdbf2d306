using GoDocker.Jobs;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Services;

/// <summary>
/// Records a change that ends an attempt (the executor's watch, a stop applied, a walltime, a lost container, a node down)
/// with what the attempt was measured to use and the site's charge basis (Usage:Charge), so its accounting record and
/// its charge are kept in the change's transaction. The one way the executor ends an attempt.
/// </summary>
public sealed class AttemptEnds(IJobStore store, IAttemptUsage usage, IOptions<GoDockerOptions> options, ILogger<AttemptEnds> logger)
{
    /// <summary>Applies <paramref name="change"/> (made against <paramref name="job"/>); throws as <see cref="IJobStore.TransitionAsync"/> does.</summary>
    public async Task<Job> RecordAsync(Job job, JobChange change, CancellationToken cancellationToken)
    {
        MeasuredUsage? measured = null;
        try
        {
            // Only an attempt whose container ran was sampled; one that ends Scheduled (killed, refused at launch) has nothing to read.
            if (job.State is JobState.Running or JobState.Suspended)
            {
                measured = await usage.MeasuredAsync(job.Id, job.Attempt, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A measure is for the record: an end is recorded without it rather than not at all.
            logger.LogWarning("job {JobId}: what attempt {Attempt} used could not be read ({Error}); its record has nothing measured",
                job.Id, job.Attempt, e.Message);
        }
        return await store.TransitionAsync(change with { Measured = measured, ChargeBasis = options.Value.Usage.Charge }, cancellationToken);
    }
}
