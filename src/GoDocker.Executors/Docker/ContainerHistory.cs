using System.Globalization;
using Docker.DotNet.Models;
using GoDocker.Execution;

namespace GoDocker.Executors.Docker;

/// <summary>
/// One container's events as the engine reports them (kill with its signal, die, stop, start, restart, destroy),
/// read after its exit to tell who ended it. The engine does not say who sent a signal: GoDocker's own stops are
/// recorded as stop requests before they are sent, so the caller puts those first and what is left was done outside.
/// </summary>
internal sealed class ContainerHistory : IProgress<Message>
{
    private readonly Lock gate = new();
    private readonly TaskCompletionSource died = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int starts;
    private int? firstSignal;
    private bool stopped;
    private bool restarted;
    private bool destroyed;

    /// <summary>The container's (first) die event arrived.</summary>
    public Task Died => died.Task;

    /// <summary>A restart or removal completed: nothing more will change the verdict.</summary>
    public Task Settled => settled.Task;

    /// <summary>Someone signalled the container before it died (so a stop, restart or removal may follow).</summary>
    public bool Signalled
    {
        get
        {
            lock (gate)
            {
                return firstSignal is not null;
            }
        }
    }

    public void Report(Message value)
    {
        lock (gate)
        {
            switch (value.Action)
            {
                case "start":
                    starts++;
                    restarted |= starts > 1;
                    break;
                case "kill":
                    firstSignal ??= value.Actor?.Attributes is { } attributes && attributes.TryGetValue("signal", out var text)
                        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var signal) ? signal : -1;
                    break;
                case "die":
                    died.TrySetResult();
                    break;
                case "stop":
                    stopped = true;
                    break;
                case "restart":
                    restarted = true;
                    settled.TrySetResult();
                    break;
                case "destroy":
                    destroyed = true;
                    settled.TrySetResult();
                    break;
            }
        }
    }

    /// <summary>What the events say was done to the container, strongest first; null when nothing was.</summary>
    public Interference? Interference()
    {
        lock (gate)
        {
            return restarted ? new Interference(EndCause.RestartedOutside)
                : destroyed ? new Interference(EndCause.RemovedOutside)
                : stopped ? new Interference(EndCause.StoppedOutside, firstSignal > 0 ? firstSignal : null)
                : firstSignal is { } signal ? new Interference(EndCause.KilledOutside, signal > 0 ? signal : null)
                : null;
        }
    }
}
