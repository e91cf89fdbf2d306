using System.Globalization;
using System.Text;
using GoDocker.Contracts.Tes;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;
using GoDocker.Tes;

namespace GoDocker.Server.Api.Tes;

/// <summary>TES's views of a task (tesView): MINIMAL is the id and state, BASIC all but the bulky members, FULL everything.</summary>
public enum TesView
{
    Minimal,
    Basic,
    Full,
}

/// <summary>
/// A task as TES shows it, from its job: the request as kept, its state (<see cref="TesStates"/>), and its log from the
/// runner's record in the job directory (tes/log, read through <see cref="JobDirectory.Open"/>, the hardened path; also
/// from an archived directory). What the runner wrote is the task's own account: it fills executor logs and can only
/// turn its own EXECUTOR_ERROR into a SYSTEM_ERROR; the state's backbone (state, end cause, exit code) is the engine's.
/// An ended task's record is the one its job kept at the end (<see cref="Job.TaskLog"/>); its executors' stdout and
/// stderr (FULL) are read from the directory while it is kept.
/// </summary>
internal static class TesViews
{
    /// <summary>The end of each executor's stdout and stderr a FULL view shows.</summary>
    private const int MaxOutputBytes = 64 * 1024;

    /// <summary>The end of the runner's own stderr a FULL view's system_logs shows.</summary>
    private const int MaxRunnerStderrBytes = 4 * 1024;

    public static string Id(Job job) => job.Id.ToString(CultureInfo.InvariantCulture);

    public static async Task<TesTask> ViewAsync(Job job, TesView view, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var tes = job.Spec.Tes!;
        var runLog = view == TesView.Minimal && job.State != JobState.Failed
            ? null
            : await RunLogAsync(job, dirs, cancellationToken);
        var state = TesStates.Of(job.State, job.EndCause, job.StopRequested, job.ExitCode, systemError: runLog?.SystemErrors.Count > 0);
        if (view == TesView.Minimal)
        {
            return new TesTask { Id = Id(job), State = state };
        }
        var task = tes.Task;
        var full = view == TesView.Full;
        return task with
        {
            Id = Id(job),
            State = state,
            CreationTime = Time(job.SubmittedAt),
            Inputs = full ? task.Inputs : task.Inputs?.Select(i => i with { Content = null }).ToList(),
            // One log, the current attempt's (clients read logs[0]), once it started or ended; earlier attempts are in accounting.
            Logs = job.StartedAt is null && !job.State.IsTerminal()
                ? []
                : [await TaskLogAsync(job, tes, runLog!, state, full, dirs, cancellationToken)],
        };
    }

    private static async Task<TesTaskLog> TaskLogAsync(Job job, TesTaskSpec tes, TaskRunLog runLog, TesState state, bool full, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var executors = new List<TesExecutorLog>();
        foreach (var step in runLog.Steps)
        {
            // An executor that started but has no end record (the runner itself was killed) ends with its job.
            var ended = step.End ?? (step.ExitCode is null ? job.EndedAt : null);
            var code = step.ExitCode ?? (job.State.IsTerminal() ? job.ExitCode ?? -1 : -1);
            if (step.ExitCode is null && !job.State.IsTerminal())
            {
                code = 0; // running: exit_code is required by the schema; end_time absent says it has not ended
            }
            executors.Add(new TesExecutorLog
            {
                StartTime = Time(step.Start),
                EndTime = Time(ended),
                ExitCode = code,
                Stdout = full ? await TailAsync(dirs, job.Id, $"tes/{step.Index}.stdout", MaxOutputBytes, cancellationToken) : null,
                Stderr = full ? await TailAsync(dirs, job.Id, $"tes/{step.Index}.stderr", MaxOutputBytes, cancellationToken) : null,
            });
        }
        // Clients read an EXECUTOR_ERROR task's exit code from its first executor log: there is always one.
        if (executors.Count == 0 && state == TesState.ExecutorError)
        {
            executors.Add(new TesExecutorLog { StartTime = Time(job.StartedAt), EndTime = Time(job.EndedAt), ExitCode = job.ExitCode ?? 1 });
        }
        var systemLogs = new List<string>();
        if (full)
        {
            if (!string.IsNullOrEmpty(job.Reason))
            {
                systemLogs.Add(job.Reason);
            }
            systemLogs.AddRange(runLog.SystemErrors);
            systemLogs.AddRange(tes.Warnings);
            if (await TailAsync(dirs, job.Id, JobDirectory.StderrFile, MaxRunnerStderrBytes, cancellationToken) is { Length: > 0 } runner)
            {
                systemLogs.Add(runner);
            }
        }
        return new TesTaskLog
        {
            Logs = executors,
            Metadata = new Dictionary<string, string>
            {
                ["node"] = job.Node ?? "",
                ["attempt"] = job.Attempt.ToString(CultureInfo.InvariantCulture),
                ["project"] = job.Spec.Project,
                ["owner"] = job.Owner,
            },
            StartTime = Time(job.StartedAt),
            EndTime = Time(job.EndedAt),
            Outputs = [.. runLog.Outputs.Select(o => new TesOutputFileLog(o.Url, o.Path, o.SizeBytes.ToString(CultureInfo.InvariantCulture)))],
            SystemLogs = full ? systemLogs : null,
        };
    }

    /// <summary>The runner's record of the current attempt (empty when there is none yet, or no longer).</summary>
    /// <remarks>An ended task's is the one kept with its job (<see cref="Job.TaskLog"/>): no file read, and still there once retention removed the directory.</remarks>
    private static async Task<TaskRunLog> RunLogAsync(Job job, JobDirectory dirs, CancellationToken cancellationToken) =>
        job.TaskLog is { } kept ? kept
        : job.StartedAt is null && job.State != JobState.Failed ? TaskRunLog.Empty
        : await GoDocker.Server.Services.TaskRunLogs.ReadAsync(dirs, job.Id, cancellationToken) ?? TaskRunLog.Empty;

    private static string? Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The last <paramref name="max"/> bytes of a job file, as text; null when absent or not a file.</summary>
    private static async Task<string?> TailAsync(JobDirectory dirs, long id, string path, int max, CancellationToken cancellationToken)
    {
        var stream = GoDocker.Server.Services.TaskRunLogs.Stream(dirs.Open(id, path));
        if (stream is null)
        {
            return null;
        }
        await using (stream)
        {
            if (stream.CanSeek && stream.Length > max)
            {
                stream.Seek(-max, SeekOrigin.End);
            }
            var ring = new byte[max];
            var kept = 0L;
            var chunk = new byte[16 * 1024];
            int n;
            // An archived file does not seek: read it through, keeping the last max bytes.
            while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                for (var i = 0; i < n; i++)
                {
                    ring[kept++ % max] = chunk[i];
                }
            }
            if (kept <= max)
            {
                return Encoding.UTF8.GetString(ring, 0, (int)kept);
            }
            var start = (int)(kept % max);
            return Encoding.UTF8.GetString([.. ring.AsSpan(start), .. ring.AsSpan(0, start)]);
        }
    }
}
