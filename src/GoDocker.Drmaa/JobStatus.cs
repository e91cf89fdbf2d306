using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Drmaa;

/// <summary>
/// drmaa_wait's stat and drmaa_job_ps's states from a GoDocker job.
/// </summary>
/// <remarks>
/// The stat encoding (the standard leaves it to the implementation; decode it only with the drmaa_w* functions):
/// <list type="bullet">
/// <item>exited: the exit code itself, 0-255 (so a job that succeeded has stat 0);</item>
/// <item>signaled: 0x100 | the signal's number (a kill on request, out of memory, walltime, a container killed outside);</item>
/// <item>aborted: 0x200, the job ended without running (killed while pending or held, rejected, never launched).</item>
/// </list>
/// No core dump is ever reported: a container's core is not GoDocker's to see.
/// </remarks>
internal static class JobStatus
{
    public const int SignaledFlag = 0x100;
    public const int AbortedFlag = 0x200;

    public const int Undetermined = 0x00;
    public const int QueuedActive = 0x10;
    public const int SystemOnHold = 0x11;
    public const int UserOnHold = 0x12;
    public const int Running = 0x20;
    public const int UserSuspended = 0x22;
    public const int Done = 0x30;
    public const int Failed = 0x40;

    private const int Sigkill = 9;
    private const int Sigterm = 15;

    public static int Exited(int code) => code & 0xFF;

    public static int Signaled(int signal) => SignaledFlag | (signal & 0xFF);

    public static bool IfExited(int stat) => (stat & (SignaledFlag | AbortedFlag)) == 0;

    public static bool IfSignaled(int stat) => (stat & SignaledFlag) != 0;

    public static bool IfAborted(int stat) => (stat & AbortedFlag) != 0;

    /// <summary>The exit code when the job exited; 0 otherwise (the standard leaves it undefined then).</summary>
    public static int ExitStatus(int stat) => IfExited(stat) ? stat & 0xFF : 0;

    public static string TermSignal(int stat) => IfSignaled(stat) ? SignalName(stat & 0xFF) : "";

    /// <summary>The stat of an ended job.</summary>
    public static int StatOf(JobView job)
    {
        if (job.StartedAt is null && job.State != JobState.Succeeded)
        {
            return AbortedFlag;
        }
        return (job.State, job.EndCause, job.ExitCode) switch
        {
            (JobState.Succeeded, _, _) => Exited(0),
            (_, EndCause.OutOfMemory or EndCause.Walltime or EndCause.KilledOutside, _) => Signaled(Sigkill),
            (_, EndCause.StoppedOutside, _) => Signaled(Sigterm),
            // A kill on request: docker stop's SIGTERM, or its SIGKILL after the grace time, as the exit code 128+N says.
            (JobState.Killed, _, > 128 and < 160 and var code) => Signaled(code - 128),
            (JobState.Killed, _, _) => Signaled(Sigkill),
            (_, _, { } code) => Exited(code),
            _ => AbortedFlag,
        };
    }

    /// <summary>drmaa_job_ps's program status of a job.</summary>
    public static int PsOf(JobView job) => job.State switch
    {
        JobState.Pending when job.HeldBy == "admin" => SystemOnHold,
        JobState.Pending when job.HeldBy is not null => UserOnHold,
        // Scheduled: placed on a node, its container not started yet (it cannot be suspended yet): still queued.
        JobState.Pending or JobState.Scheduled => QueuedActive,
        JobState.Running => Running,
        JobState.Suspended => UserSuspended,
        JobState.Succeeded => Done,
        JobState.Archived when job.ExitCode == 0 => Done,
        _ => Failed,
    };

    /// <summary>
    /// drmaa_wait's resource usage, NAME=VALUE: times in seconds (the clock ones since the epoch), memory (the peak
    /// resident set) in bytes; cpu and mem from the job's sampled usage.
    /// </summary>
    public static IReadOnlyList<string> Rusage(JobView job, UsageSummaryView? usage)
    {
        var list = new List<string>();
        void Add(string name, double value) => list.Add(name + "=" + value.ToString("0.###", CultureInfo.InvariantCulture));
        Add("submission_time", job.SubmittedAt.ToUnixTimeMilliseconds() / 1000.0);
        if (job.StartedAt is { } started)
        {
            Add("start_time", started.ToUnixTimeMilliseconds() / 1000.0);
        }
        if (job.EndedAt is { } ended)
        {
            Add("end_time", ended.ToUnixTimeMilliseconds() / 1000.0);
            Add("wallclock", job.StartedAt is { } start ? Math.Max(0, (ended - start).TotalSeconds) : 0);
        }
        // A job that ended before its first usage sample (a second or so) has none: it used next to nothing.
        Add("cpu", usage?.CpuSeconds ?? 0);
        Add("mem", usage?.MaxRssBytes ?? 0);
        if (job.ExitCode is { } exit)
        {
            Add("exit_status", exit);
        }
        return list;
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        _ => "SIG" + signal.ToString(CultureInfo.InvariantCulture),
    };
}
