using System.Globalization;
using System.Text;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>`godocker show`: every field as "Label: value", then the script and the timeline.</summary>
internal static class JobDetails
{
    /// <param name="usage">The job's sampled usage, when there is some to print.</param>
    public static string Render(JobView job, TimeZoneInfo? zone = null, JobUsageView? usage = null)
    {
        var fields = new List<(string Label, string Value)>
        {
            ("Id", job.Id.ToString(CultureInfo.InvariantCulture)),
            ("Name", job.Name),
            ("State", job.State.ToString()),
        };
        if (!string.IsNullOrEmpty(job.Reason))
        {
            fields.Add(("Reason", job.Reason));
        }
        if (job.ExitCode is { } code)
        {
            fields.Add(("Exit code", code.ToString(CultureInfo.InvariantCulture)));
        }
        if (!string.IsNullOrEmpty(job.StopRequested))
        {
            fields.Add(("Stop requested", job.StopRequested));
        }
        if (job.HeldBy is not null)
        {
            fields.Add(("Held by", job.HeldBy));
        }
        if (job.ExpectedStart is { } expected)
        {
            fields.Add(("Expected start", Display.Time(expected, zone)));
        }
        if (job.PriorityAdjustment != 0)
        {
            fields.Add(("Admin priority", job.PriorityAdjustment.ToString("+0;-0", CultureInfo.InvariantCulture)));
        }
        fields.Add(("Owner", job.Owner));
        fields.Add(("Project", job.Project));
        fields.Add(("Image", job.Image));
        fields.Add(("Cpus", Display.Cpus(job.Cpus)));
        fields.Add(("Memory", ByteSize.Format(job.MemoryBytes)));
        if (job.Gpus > 0)
        {
            fields.Add(("Gpus", job.Gpus.ToString(CultureInfo.InvariantCulture)));
        }
        fields.Add(("Walltime", job.WalltimeSeconds is { } s ? Walltime.Format(TimeSpan.FromSeconds(s)) : "unlimited"));
        fields.Add(("Node", Display.OrNone(job.Node)));
        if (job.Constraints is { Count: > 0 } constraints)
        {
            fields.Add(("Constraints", string.Join(", ", constraints)));
        }
        fields.Add(("Attempt", job.Attempt.ToString(CultureInfo.InvariantCulture)));
        fields.Add(("Requeue", job.Requeue ? "yes (run again if its node goes down)" : "no (failed if its node goes down)"));
        if (job.ArrayId is { } array)
        {
            fields.Add(("Array", job.TaskId is { } task
                ? $"{array.ToString(CultureInfo.InvariantCulture)}, task {task.ToString(CultureInfo.InvariantCulture)}"
                : array.ToString(CultureInfo.InvariantCulture)));
        }
        if (!string.IsNullOrEmpty(job.Dependency))
        {
            fields.Add(("Dependency", job.Dependency));
        }
        fields.Add(("Tags", job.Tags.Count == 0 ? Display.None : string.Join(", ", job.Tags)));
        if (job.Labels is { Count: > 0 } labels)
        {
            fields.Add(("Labels", string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))));
        }
        if (job.Workdir is not null)
        {
            fields.Add(("Workdir", job.Workdir));
        }
        // Slurm's StdOut and StdErr: where the output went when not to the job directory (godocker logs says so too).
        if (job.Stdout is not null)
        {
            fields.Add(("Stdout", job.Stdout));
        }
        if (job.Stderr is not null)
        {
            fields.Add(("Stderr", job.Stderr));
        }
        if (job.Command is { Count: > 0 } command)
        {
            fields.Add(("Command", ShellWords.Join(command)));
        }
        fields.Add(("Submitted", Display.Time(job.SubmittedAt, zone)));
        fields.Add(("Scheduled", Display.Time(job.ScheduledAt, zone)));
        fields.Add(("Started", Display.Time(job.StartedAt, zone)));
        fields.Add(("Ended", Display.Time(job.EndedAt, zone)));
        if (job.MailType is { } mailType)
        {
            fields.Add(("Mail", job.MailUser is { } to ? $"{mailType} to {to}" : $"{mailType} (no address: nobody is mailed)"));
        }
        if (job.Directory is { } directory)
        {
            fields.Add(("Directory", directory));
        }
        if (usage is not null)
        {
            fields.AddRange(UsageFigures.Fields(usage, zone));
        }
        if (job.Env is { Count: > 0 } env)
        {
            var first = true;
            foreach (var (key, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                fields.Add((first ? "Env" : "", $"{key}={value}"));
                first = false;
            }
        }

        var width = fields.Max(f => f.Label.Length) + 2;
        var text = new StringBuilder();
        foreach (var (label, value) in fields)
        {
            text.Append((label.Length == 0 ? "" : label + ":").PadRight(width)).Append(value).Append('\n');
        }
        if (!string.IsNullOrEmpty(job.Script))
        {
            text.Append("\nScript:\n");
            foreach (var line in job.Script.TrimEnd('\n').Split('\n'))
            {
                text.Append("  ").Append(line.TrimEnd('\r')).Append('\n');
            }
        }
        if (job.Events is { Count: > 0 } events)
        {
            var timeline = new Table(new Column("TIME"), new Column("KIND"), new Column("MESSAGE"));
            foreach (var e in events)
            {
                timeline.Add(Display.Time(e.At, zone), e.Kind, e.Message);
            }
            text.Append("\nTimeline:\n");
            foreach (var line in timeline.Render().TrimEnd('\n').Split('\n'))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }
        return text.ToString();
    }
}
