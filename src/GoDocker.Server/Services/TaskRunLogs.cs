using GoDocker.Storage.JobDirectories;
using GoDocker.Tes;

namespace GoDocker.Server.Services;

/// <summary>
/// A TES task's runner record (tes/log in its job directory), read through the hardened path (<see cref="JobDirectory.Open"/>,
/// also from an archive) and bounded by <see cref="TaskRunLog.ReadAsync"/>: what the executor keeps at a task's end and
/// the TES views read while it runs.
/// </summary>
internal static class TaskRunLogs
{
    /// <summary>The record as the file holds it now; null when there is none.</summary>
    public static async Task<TaskRunLog?> ReadAsync(JobDirectory dirs, long jobId, CancellationToken cancellationToken)
    {
        var stream = Stream(dirs.Open(jobId, "tes/log"));
        if (stream is null)
        {
            return null;
        }
        await using (stream)
        {
            return await TaskRunLog.ReadAsync(stream, cancellationToken);
        }
    }

    /// <summary>The readable stream of a job file, live or archived; null for a listing or a refusal.</summary>
    public static Stream? Stream(JobPath path) => path switch
    {
        JobPath.OpenedFile opened => opened.Stream,
        JobPath.ArchivedFile archived => archived.Stream,
        _ => null,
    };
}
