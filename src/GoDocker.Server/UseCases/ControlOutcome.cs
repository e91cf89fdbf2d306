using GoDocker.Jobs;

namespace GoDocker.Server.UseCases;

/// <summary>
/// What a control of one job did (<see cref="JobControl"/>): exactly one of the cases below, each refusal with the
/// sentence the caller reads. An API maps the case to its own status (REST: 200/202, 400, 403, 404, 409, 503).
/// </summary>
public abstract record ControlOutcome
{
    private ControlOutcome()
    {
    }

    /// <summary>Done (or, for a kill or requeue of a running job, recorded for the executor to apply): the job as it is now.</summary>
    public sealed record Done(Job Job) : ControlOutcome;

    /// <summary>No such job, or one the caller may not see: the two are answered alike, so ids reveal nothing.</summary>
    public sealed record NotFound(long JobId) : ControlOutcome
    {
        public string Message => $"job {JobId} does not exist";
    }

    /// <summary>The caller may see the job but not do this to it.</summary>
    public sealed record Forbidden(string Reason) : ControlOutcome;

    /// <summary>The job's state does not allow it now (or it changed meanwhile).</summary>
    public sealed record Conflict(string Reason) : ControlOutcome;

    /// <summary>The node's engine the control needs does not answer now; the same control can succeed later.</summary>
    public sealed record Unavailable(string Reason) : ControlOutcome;

    /// <summary>A value given with the control is out of range.</summary>
    public sealed record Invalid(string Field, string Message) : ControlOutcome;
}

/// <summary>What a control of a whole array did (<see cref="JobControl.KillArrayAsync"/>, <see cref="JobControl.SuspendArrayAsync"/>, <see cref="JobControl.ResumeArrayAsync"/>).</summary>
public abstract record ArrayOutcome
{
    private ArrayOutcome()
    {
    }

    /// <summary>The array's tasks the caller may see, as they are now.</summary>
    public sealed record Done(long ArrayId, IReadOnlyList<Job> Tasks) : ArrayOutcome;

    /// <summary>No such array, or none of its tasks visible to the caller.</summary>
    public sealed record NotFound(long ArrayId) : ArrayOutcome
    {
        public string Message => $"array {ArrayId} does not exist";
    }

    public sealed record Forbidden(string Reason) : ArrayOutcome;

    /// <summary>No task of the array is in a state that allows it (suspend: none runs; resume: none is suspended).</summary>
    public sealed record Conflict(string Reason) : ArrayOutcome;

    /// <summary>A task's engine did not answer; the tasks whose engines did were done.</summary>
    public sealed record Unavailable(string Reason) : ArrayOutcome;
}
