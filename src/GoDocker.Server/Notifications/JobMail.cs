using System.Globalization;
using System.Text;
using GoDocker.Jobs;
using GoDocker.Notifications;

namespace GoDocker.Server.Notifications;

/// <summary>
/// A job's mail as Slurm writes it: everything in the subject ("GoDocker Job_id=12 Name=align Ended, Run time 00:01:05,
/// FAILED, ExitCode 3"), and the same facts one per line in the body. Pure.
/// </summary>
public static class JobMail
{
    public static string Subject(JobNotice notice)
    {
        var head = $"GoDocker Job_id={notice.JobId} Name={notice.Name}";
        return notice.Kind switch
        {
            NoticeKind.Began => $"{head} Began, Queued time {Elapsed(notice.QueuedTime)}",
            NoticeKind.Requeued => $"{head} Requeued, Run time {Elapsed(notice.RunTime ?? TimeSpan.Zero)}",
            _ => $"{head} {(notice.State == JobState.Succeeded ? "Ended" : "Failed")}, Run time {Elapsed(notice.RunTime ?? TimeSpan.Zero)}, "
                + $"{SlurmState(notice.State)}, ExitCode {(notice.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "-")}",
        };
    }

    public static string Body(JobNotice notice)
    {
        var body = new StringBuilder();
        void Line(string name, string? value)
        {
            if (value is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $"{name,-10} {value}\n");
            }
        }
        Line("Job", notice.JobId.ToString(CultureInfo.InvariantCulture));
        Line("Name", notice.Name);
        Line("User", notice.Owner);
        Line("Project", notice.Project);
        Line("State", notice.State.ToString());
        Line("ExitCode", notice.ExitCode?.ToString(CultureInfo.InvariantCulture));
        Line("Cause", notice.Cause?.ToString());
        Line("Reason", notice.Reason);
        Line("Node", notice.Node);
        Line("Submitted", notice.SubmittedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
        Line("Started", notice.StartedAt?.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
        Line(notice.Kind == NoticeKind.Ended ? "Ended" : "At", notice.At.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
        Line("Elapsed", notice.RunTime is { } run ? Elapsed(run) : null);
        return body.ToString();
    }

    /// <summary>Slurm's state words, which mail filters people already have match.</summary>
    private static string SlurmState(JobState state) => state switch
    {
        JobState.Succeeded => "COMPLETED",
        JobState.Killed => "CANCELLED",
        JobState.Rejected => "REJECTED",
        _ => "FAILED",
    };

    /// <summary>[D-]HH:MM:SS, as Slurm prints times.</summary>
    internal static string Elapsed(TimeSpan elapsed) => elapsed.Days > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{elapsed.Days}-{elapsed.Hours:00}:{elapsed.Minutes:00}:{elapsed.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{elapsed.Hours:00}:{elapsed.Minutes:00}:{elapsed.Seconds:00}");
}
