using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Wait;

/// <summary>How an ended job is reported by `godocker wait`: as its own exit status, so `godocker wait $id && next` chains.</summary>
internal static class WaitOutcome
{
    /// <summary>
    /// 0 when it succeeded; its exit code when it ended with a non-zero one a shell can carry (1-255, e.g. 137 for out-of-memory);
    /// otherwise 1 (<see cref="ExitCodes.JobFailed"/>), so no unsuccessful end reads as success. An archived job keeps what its exit code said.
    /// </summary>
    public static int ExitCodeFor(JobView job)
    {
        if (!job.State.IsTerminal())
        {
            throw new ArgumentException($"job {job.Id} is {job.State}, not ended", nameof(job));
        }
        return (job.State, job.ExitCode) switch
        {
            (JobState.Succeeded, _) => ExitCodes.Ok,
            (_, >= 1 and <= 255 and var code) => code,
            (JobState.Archived, 0) => ExitCodes.Ok,
            _ => ExitCodes.JobFailed,
        };
    }

    /// <summary>The stderr line for an unsuccessful end; null when it succeeded.</summary>
    public static string? Describe(JobView job)
    {
        if (ExitCodeFor(job) == ExitCodes.Ok)
        {
            return null;
        }
        var outcome = Output.Display.Outcome(job.ExitCode, job.Reason);
        return outcome.Length == 0 ? $"godocker: job {job.Id} {job.State}" : $"godocker: job {job.Id} {job.State}: {outcome}";
    }
}
