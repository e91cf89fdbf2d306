namespace GoDocker.Cli.Api;

/// <summary>What POST /jobs/{id}/{action} can ask of one job besides kill (scontrol's hold, release, suspend, resume, requeue).</summary>
internal enum JobControl
{
    /// <summary>A pending job waits until released.</summary>
    Hold,
    /// <summary>A held job may be scheduled again.</summary>
    Release,
    /// <summary>A running job's processes are frozen; it keeps its resources.</summary>
    Suspend,
    /// <summary>A suspended job runs on.</summary>
    Resume,
    /// <summary>A running job is stopped and queued again, as its next attempt.</summary>
    Requeue,
}

internal static class JobControls
{
    /// <summary>The path segment and command name: "hold", "release"...</summary>
    public static string Name(this JobControl control) => control switch
    {
        JobControl.Hold => "hold",
        JobControl.Release => "release",
        JobControl.Suspend => "suspend",
        JobControl.Resume => "resume",
        _ => "requeue",
    };
}
