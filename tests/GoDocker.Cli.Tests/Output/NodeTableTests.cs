using GoDocker.Cli.Commands;
using GoDocker.Contracts;

namespace GoDocker.Cli.Tests.Output;

public class NodeTableTests
{
    [Fact]
    public void Nodes_ShowUsedOfTotal_AndLabelsSortedByName()
    {
        NodeView[] nodes =
        [
            new()
            {
                Name = "n1", Executor = "docker", State = "drained", Jobs = 3,
                Capacity = new NodeResources(4, 16L << 30, 2), Used = new NodeResources(1.5, 512L << 20, 1),
                Labels = new Dictionary<string, string> { ["zone"] = "a", ["disk"] = "ssd" },
            },
            new() { Name = "gpu-2", Executor = "docker", State = "up", Capacity = new NodeResources(0.5, 1L << 30, 0), Used = new NodeResources(0, 0, 0) },
        ];

        var lines = NodesCommand.Render(nodes).TrimEnd('\n').Split('\n');

        Assert.Equal("NAME   STATE     CPUS          MEMORY  GPUS  JOBS  LABELS", lines[0]);
        Assert.Equal("n1     drained  1.5/4  512 MiB/16 GiB   1/2     3  disk=ssd,zone=a", lines[1]);
        Assert.Equal("gpu-2  up       0/0.5       0 B/1 GiB   0/0     0  -", lines[2]);
    }

    [Fact]
    public void ADownNode_SaysSinceWhen()
    {
        NodeView[] nodes =
        [
            new()
            {
                Name = "n1", Executor = "docker", State = "down", DownSince = new DateTimeOffset(2026, 12, 3, 14, 2, 11, TimeSpan.Zero),
                Capacity = new NodeResources(4, 16L << 30, 0), Used = new NodeResources(0, 0, 0),
            },
        ];

        var lines = NodesCommand.Render(nodes, TimeZoneInfo.Utc).TrimEnd('\n').Split('\n');

        Assert.StartsWith("n1    down since 2026-12-03 14:02:11  ", lines[1], StringComparison.Ordinal);
    }
}
