using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// Runs a command in a running job's container for a caller (docker exec through the server): authorized as a kill is
/// (a job the caller may not see is not found, one they may see but not control is forbidden), only while the job is
/// running, as the job's own user. Each start and each end is a line of the job's timeline.
/// </summary>
public sealed class JobExec(IJobStore store, IAccessPolicy policy, NodeRegistry nodes, TimeProvider time, ILogger<JobExec> logger)
{
    public const string StartedEvent = "exec";
    public const string EndedEvent = "exec-ended";
    public const string AttachedEvent = "attach";
    public const string DetachedEvent = "detach";

    /// <summary>
    /// Whether the caller may see the job at all, asked before anything else of the request is judged: a job the caller
    /// cannot see is 404 whatever was sent, so a malformed request tells nothing of another user's job.
    /// </summary>
    public async Task<ControlOutcome?> RefusedUnseenAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        return job is null || !policy.CanSee(caller, job) ? new ControlOutcome.NotFound(id) : null;
    }

    /// <summary>The started command, or why not (a <see cref="ControlOutcome"/> refusal).</summary>
    public async Task<(IExecSession? Session, ControlOutcome? Refused)> StartAsync(Caller caller, long id, ExecCommand query, CancellationToken cancellationToken)
    {
        var (job, executor, refused) = await RunningAsync(caller, id, "run commands in it", cancellationToken);
        if (job is null)
        {
            return (null, refused);
        }
        var request = new ExecRequest(job.ContainerId!, query.Command, ExecRequest.UserFor(job.Spec), query.Tty, query.Stdin) { Size = query.Size };
        var (session, notStarted) = await StartedAsync(job, executor!, () => executor!.ExecAsync(request, cancellationToken), cancellationToken);
        if (session is not null)
        {
            await RecordAsync(id, StartedEvent,
                $"{caller.Login} ran {Shown(query.Command)}{(query.Tty ? " (with a terminal)" : "")}", CancellationToken.None);
        }
        return (session, notStarted);
    }

    /// <summary>
    /// Joins a running interactive job's terminal for a caller (docker attach through the server), authorized as exec.
    /// A job that is not interactive, or not yet running, is a conflict saying so.
    /// </summary>
    public async Task<(IExecSession? Session, ControlOutcome? Refused)> AttachAsync(Caller caller, long id, AttachCommand query, CancellationToken cancellationToken)
    {
        var (job, executor, refused) = await RunningAsync(caller, id, "attach to it", cancellationToken);
        if (job is null)
        {
            return (null, refused);
        }
        if (!job.Spec.Interactive)
        {
            return (null, new ControlOutcome.Conflict($"job {id} is not interactive: it has no terminal to attach to (godocker exec runs a command in it)"));
        }
        var request = new AttachRequest(job.ContainerId!) { Size = query.Size, Replay = query.Replay };
        var (session, notStarted) = await StartedAsync(job, executor!, () => executor!.AttachAsync(request, cancellationToken), cancellationToken);
        if (session is not null)
        {
            await RecordAsync(id, AttachedEvent, $"{caller.Login} attached", CancellationToken.None);
        }
        return (session, notStarted);
    }

    /// <summary>The job, if the caller may act in it and it is running on a node this server serves; else why not.</summary>
    private async Task<(Job? Job, IExecutor? Executor, ControlOutcome? Refused)> RunningAsync(Caller caller, long id, string action, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || !policy.CanSee(caller, job))
        {
            return (null, null, new ControlOutcome.NotFound(id));
        }
        if (!policy.CanControl(caller, job))
        {
            return (null, null, new ControlOutcome.Forbidden($"you may see job {id} but not {action}"));
        }
        if (job.State != JobState.Running || job.ContainerId is null || job.Node is null)
        {
            var when = job.State == JobState.Pending ? $" ({job.Reason})" : "";
            return (null, null, new ControlOutcome.Conflict($"job {id} is {job.State}{when}: only a running job can be reached"));
        }
        if (nodes.ExecutorFor(job.Node) is not { } executor)
        {
            return (null, null, new ControlOutcome.Conflict($"node {job.Node} is not served by this server"));
        }
        return (job, executor, null);
    }

    /// <summary>The engine's answer to an exec or an attach, as a session or a refusal; an engine that does not answer is 503.</summary>
    private async Task<(IExecSession? Session, ControlOutcome? Refused)> StartedAsync(
        Job job, IExecutor executor, Func<ValueTask<ExecOutcome>> start, CancellationToken cancellationToken)
    {
        ExecOutcome outcome;
        try
        {
            outcome = await start();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if ((await nodes.ProbeAsync(executor, cancellationToken)).Error is { } error)
            {
                return (null, new ControlOutcome.Unavailable($"node {job.Node} does not answer: {error}"));
            }
            throw;
        }
        return outcome switch
        {
            ExecOutcome.Started started => (started.Session, null),
            ExecOutcome.NotSupported notSupported => (null, new ControlOutcome.Conflict(notSupported.Reason)),
            ExecOutcome.NotRunning notRunning => (null, new ControlOutcome.Conflict($"job {job.Id}'s container is not running: {notRunning.Reason}")),
            _ => throw new InvalidOperationException($"unknown exec outcome {outcome}"),
        };
    }

    /// <summary>Records how a session ended. A store failure is logged, not thrown: the session is over either way.</summary>
    public Task RecordEndAsync(Caller caller, long id, ExecCommand query, ExecStatus status) =>
        RecordAsync(id, EndedEvent, $"{caller.Login}'s {Shown(query.Command)} ended: {status.Message}", CancellationToken.None);

    /// <summary>Records how an attachment ended (the client detached, or the job's terminal ended).</summary>
    public Task RecordDetachAsync(Caller caller, long id, ExecStatus status) =>
        RecordAsync(id, DetachedEvent, $"{caller.Login} detached: {status.Message}", CancellationToken.None);

    /// <summary>The command as the timeline shows it, cut at a length a line can hold.</summary>
    private static string Shown(IReadOnlyList<string> command)
    {
        const int MaxChars = 300;
        var line = ExecProtocol.Display(command);
        return line.Length <= MaxChars ? line : line[..MaxChars] + "…";
    }

    private async Task RecordAsync(long id, string kind, string message, CancellationToken cancellationToken)
    {
        try
        {
            await store.AppendEventAsync(id, new JobEvent(time.GetUtcNow(), kind, message), cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogError(e, "job {JobId}: could not record in its timeline: {Message}", id, message);
        }
    }
}

/// <summary>An attach to an interactive job's terminal: the client's terminal size, and whether its output so far comes first.</summary>
public sealed record AttachCommand(TerminalSize? Size, bool Replay);

/// <summary>A command to run in a job: its words (the program first), with a terminal or not, taking input or not.</summary>
public sealed record ExecCommand(IReadOnlyList<string> Command, bool Tty, bool Stdin, TerminalSize? Size);
