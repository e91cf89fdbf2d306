using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Execution;

namespace GoDocker.Executors.Docker;

/// <summary>
/// A client joined to an interactive job's terminal with the Engine API's attach (POST /containers/{id}/attach,
/// hijacked): the container's TTY output arrives raw, our writes are its terminal input. Dropping the connection
/// detaches: the container was created with its stdin kept open between attaches, so the job runs on.
/// </summary>
internal sealed class DockerAttachSession(DockerClient client, string containerId, MultiplexedStream stream) : EngineStreamSession(stream)
{
    public static async Task<ExecOutcome> StartAsync(DockerClient client, AttachRequest request, CancellationToken cancellationToken)
    {
        ContainerInspectResponse inspected;
        try
        {
            inspected = await client.Containers.InspectContainerAsync(request.ContainerId, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return new ExecOutcome.NotRunning("the job's container is gone");
        }
        if (inspected.State is not { Running: true, Paused: false })
        {
            return new ExecOutcome.NotRunning(inspected.State?.Paused == true ? "the job is suspended" : "the job's container has ended");
        }
        if (inspected.Config is not { Tty: true, OpenStdin: true })
        {
            return new ExecOutcome.NotSupported("the job's container has no terminal to attach to (it is not an interactive job)");
        }
        MultiplexedStream stream;
        try
        {
            stream = await client.Containers.AttachContainerAsync(request.ContainerId, new ContainerAttachParameters
            {
                Stream = true,
                Stdin = true,
                Stdout = true,
                Stderr = true,
                Logs = request.Replay,
                // No detach keys on the engine: a client detaches by closing its connection, and every byte typed,
                // Ctrl-P included, reaches the job (the CLI reads its own detach keys before sending).
                DetachKeys = "",
            }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return new ExecOutcome.NotRunning("the job's container is gone");
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return new ExecOutcome.NotRunning($"the engine refused: {EngineClient.Message(e)}");
        }
        var session = new DockerAttachSession(client, request.ContainerId, stream);
        if (request.Size is { } size)
        {
            try
            {
                await session.ResizeAsync(size, cancellationToken);
            }
            catch (DockerApiException)
            {
                // The job ended meanwhile: the session's output says so.
            }
        }
        return new ExecOutcome.Started(session);
    }

    /// <summary>
    /// Nothing: the end of one client's input is not the end of the job's. A terminal's end of file is a key (Ctrl-D)
    /// the client sends as data; closing the engine's side could close the job's stdin for every later attach.
    /// </summary>
    public override void CloseInput()
    {
    }

    public override async ValueTask ResizeAsync(TerminalSize size, CancellationToken cancellationToken) =>
        await client.Containers.ResizeContainerTtyAsync(containerId, new ContainerResizeParameters { Height = size.Rows, Width = size.Cols }, cancellationToken);

    /// <summary>The job's exit code once its terminal's output ended: the container's, read while the engine records the exit.</summary>
    public override async ValueTask<int?> ExitCodeAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            ContainerInspectResponse inspected;
            try
            {
                inspected = await client.Containers.InspectContainerAsync(containerId, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
                return null;
            }
            if (inspected.State is { Running: false } state)
            {
                return (int)state.ExitCode;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
        return null;
    }
}
