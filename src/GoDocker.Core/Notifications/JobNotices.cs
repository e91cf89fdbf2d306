using GoDocker.Jobs;

namespace GoDocker.Notifications;

/// <summary>
/// Which changes of a job are told, as Slurm tells them: a start of a run (Scheduled → Running: BEGIN; a resume from
/// Suspended is no beginning), every end (END; and FAIL when it did not succeed: failed, killed, rejected), and a run put
/// back in the queue (REQUEUE; a placement given back before any container existed is no run). Pure: the life cycle asks
/// it for every change it makes.
/// </summary>
public static class JobNotices
{
    /// <summary>The notice of <paramref name="before"/> becoming <paramref name="after"/> at <paramref name="at"/>, or null.</summary>
    public static JobNotice? Of(Job before, Job after, DateTimeOffset at)
    {
        (NoticeKind Kind, MailTypes Types)? told = (before.State, after.State) switch
        {
            (JobState.Scheduled, JobState.Running) => (NoticeKind.Began, MailTypes.Begin),
            (var from, var to) when to.IsTerminal() && !from.IsTerminal() =>
                (NoticeKind.Ended, to == JobState.Succeeded ? MailTypes.End : MailTypes.End | MailTypes.Fail),
            (JobState.Running or JobState.Suspended, JobState.Pending) => (NoticeKind.Requeued, MailTypes.Requeue),
            (JobState.Scheduled, JobState.Pending) when before.ContainerId is not null => (NoticeKind.Requeued, MailTypes.Requeue),
            _ => null,
        };
        if (told is not { } notice)
        {
            return null;
        }
        var mailed = (after.Spec.MailTypes & notice.Types) != MailTypes.None && !string.IsNullOrEmpty(after.Spec.MailUser);
        return new JobNotice
        {
            JobId = after.Id,
            Owner = after.Owner,
            Name = after.Spec.Name,
            Project = after.Spec.Project,
            Kind = notice.Kind,
            Types = notice.Types,
            State = after.State,
            ExitCode = notice.Kind == NoticeKind.Ended ? after.ExitCode : null,
            Cause = notice.Kind == NoticeKind.Began ? null : after.EndCause,
            Reason = after.Reason,
            Node = after.Node ?? before.Node,
            Attempt = before.Attempt,
            SubmittedAt = before.SubmittedAt,
            StartedAt = after.StartedAt ?? before.StartedAt,
            At = notice.Kind == NoticeKind.Ended ? after.EndedAt ?? at : notice.Kind == NoticeKind.Began ? after.StartedAt ?? at : at,
            MailTo = mailed ? after.Spec.MailUser : null,
        };
    }
}
