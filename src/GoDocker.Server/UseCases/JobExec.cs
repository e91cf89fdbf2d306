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

    /// <summary>The started command, or why not (a <see cref="ControlOutcome"/> refusal).</summary>
    /// <summary>
    /// Whether the caller may see the job at all, asked before anything else of the request is judged: a job the caller
    /// cannot see is 404 whatever was sent, so a malformed request tells nothing of another user's job.
    /// </summary>
    public async Task<ControlOutcome?> RefusedUnseenAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        return job is null || !policy.CanSee(caller, job) ? new ControlOutcome.NotFound(id) : null;
    }

    public async Task<(IExecSession? Session, ControlOutcome? Refused)> StartAsync(Caller caller, long id, ExecCommand query, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || !policy.CanSee(caller, job))
        {
            return (null, new ControlOutcome.NotFound(id));
        }
        if (!policy.CanControl(caller, job))
        {
            return (null, new ControlOutcome.Forbidden($"you may see job {id} but not run commands in it"));
        }
        if (job.State != JobState.Running || job.ContainerId is null || job.Node is null)
        {
            return (null, new ControlOutcome.Conflict($"job {id} is {job.State}: commands run only in a running job"));
        }
        if (nodes.ExecutorFor(job.Node) is not { } executor)
        {
            return (null, new ControlOutcome.Conflict($"node {job.Node} is not served by this server"));
        }
        var request = new ExecRequest(job.ContainerId, query.Command, ExecRequest.UserFor(job.Spec), query.Tty, query.Stdin) { Size = query.Size };
        ExecOutcome outcome;
        try
        {
            outcome = await executor.ExecAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if ((await nodes.ProbeAsync(executor, cancellationToken)).Error is { } error)
            {
                return (null, new ControlOutcome.Unavailable($"node {job.Node} does not answer: {error}"));
            }
            throw;
        }
        switch (outcome)
        {
            case ExecOutcome.Started started:
                await RecordAsync(id, StartedEvent,
                    $"{caller.Login} ran {Shown(query.Command)}{(query.Tty ? " (with a terminal)" : "")}", CancellationToken.None);
                return (started.Session, null);
            case ExecOutcome.NotSupported notSupported:
                return (null, new ControlOutcome.Conflict(notSupported.Reason));
            case ExecOutcome.NotRunning notRunning:
                return (null, new ControlOutcome.Conflict($"job {id}'s container is not running: {notRunning.Reason}"));
            default:
                throw new InvalidOperationException($"unknown exec outcome {outcome}");
        }
    }

    /// <summary>Records how a session ended. A store failure is logged, not thrown: the session is over either way.</summary>
    public Task RecordEndAsync(Caller caller, long id, ExecCommand query, ExecStatus status) =>
        RecordAsync(id, EndedEvent, $"{caller.Login}'s {Shown(query.Command)} ended: {status.Message}", CancellationToken.None);

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

/// <summary>A command to run in a job: its words (the program first), with a terminal or not, taking input or not.</summary>
public sealed record ExecCommand(IReadOnlyList<string> Command, bool Tty, bool Stdin, TerminalSize? Size);
