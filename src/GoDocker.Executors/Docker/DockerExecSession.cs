using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Execution;

namespace GoDocker.Executors.Docker;

/// <summary>
/// A command started with the Engine API's exec (POST /containers/{id}/exec, then /exec/{id}/start hijacked): its
/// output arrives multiplexed (stdout and stderr framed by the engine; raw with a TTY), its stdin is the same connection.
/// </summary>
internal sealed class DockerExecSession(DockerClient client, string execId, MultiplexedStream stream) : EngineStreamSession(stream)
{
    public static async Task<ExecOutcome> StartAsync(DockerClient client, ExecRequest request, CancellationToken cancellationToken)
    {
        string execId;
        try
        {
            execId = (await client.Exec.CreateContainerExecAsync(request.ContainerId, new ContainerExecCreateParameters
            {
                Cmd = [.. request.Command],
                // The job's uid:gid, as its container (ExecRequest.UserFor); the image's default user never.
                User = request.User,
                TTY = request.Tty,
                AttachStdin = request.Stdin,
                AttachStdout = true,
                AttachStderr = true,
                Privileged = false,
            }, cancellationToken)).ID;
        }
        catch (DockerContainerNotFoundException)
        {
            return new ExecOutcome.NotRunning("the job's container is gone");
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return new ExecOutcome.NotRunning($"the engine refused: {EngineClient.Message(e)}");
        }
        var stream = await client.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters
        {
            Detach = false,
            TTY = request.Tty,
        }, cancellationToken);
        var session = new DockerExecSession(client, execId, stream);
        if (request.Tty && request.Size is { } size)
        {
            await session.ResizeInitiallyAsync(size, cancellationToken);
        }
        return new ExecOutcome.Started(session);
    }

    /// <summary>
    /// The starting size, set as docker's CLI sets it: by a resize once started (the engine refuses one until the
    /// process exists, so a refusal is tried again a few times; a terminal left at its default size is no failure).
    /// </summary>
    private async Task ResizeInitiallyAsync(TerminalSize size, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ResizeAsync(size, cancellationToken);
                return;
            }
            catch (DockerApiException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }
            catch (DockerApiException)
            {
                return;
            }
        }
    }

    public override void CloseInput() => CloseWrite();

    public override async ValueTask ResizeAsync(TerminalSize size, CancellationToken cancellationToken) =>
        await client.Exec.ResizeExecTtyAsync(execId, new ContainerResizeParameters { Height = size.Rows, Width = size.Cols }, cancellationToken);

    public override async ValueTask<int?> ExitCodeAsync(CancellationToken cancellationToken)
    {
        // The output ends a moment before the engine records the exit: read again briefly while it says running.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            ContainerExecInspectResponse inspected;
            try
            {
                inspected = await client.Exec.InspectContainerExecAsync(execId, cancellationToken);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
            if (!inspected.Running)
            {
                return inspected.ExitCode is { } code ? (int)code : null;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
        return null;
    }
}
