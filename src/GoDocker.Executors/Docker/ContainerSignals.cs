using System.Threading.Channels;
using Docker.DotNet.Models;
using GoDocker.Execution;

namespace GoDocker.Executors.Docker;

/// <summary>The engine's live pause and unpause events of this instance's containers, as signals in order.</summary>
internal sealed class ContainerSignals(string instanceId) : IProgress<Message>
{
    private readonly Channel<ContainerSignal> channel = Channel.CreateUnbounded<ContainerSignal>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<ContainerSignal> Reader => channel.Reader;

    public void Complete() => channel.Writer.TryComplete();

    public void Report(Message value)
    {
        ContainerAction? action = value.Action switch
        {
            "pause" => ContainerAction.Paused,
            "unpause" => ContainerAction.Unpaused,
            _ => null,
        };
        // The event's attributes carry the container's labels: they say which job and attempt it is.
        if (action is { } known && value.Actor is { ID: { } id } actor
            && ContainerLabels.TryParse(actor.Attributes, instanceId, out var jobId, out var attempt))
        {
            var at = value.TimeNano is > 0 and { } nanos ? DateTimeOffset.UnixEpoch.AddTicks(nanos / 100) : DateTimeOffset.UnixEpoch.AddSeconds(value.Time ?? 0);
            channel.Writer.TryWrite(new ContainerSignal(jobId, attempt, id, known, at));
        }
    }
}
