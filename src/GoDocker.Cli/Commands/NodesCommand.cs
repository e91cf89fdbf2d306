using System.CommandLine;
using System.Globalization;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker nodes` (like sinfo): each node's state, what is used of it, its labels; `godocker node drain|resume NAME` (admin).</summary>
internal static class NodesCommand
{
    public static Command List(GlobalOptions global)
    {
        var output = OutputOption.Create("table", "json");
        var command = new Command("nodes", "List the nodes: state, cpus, memory and gpus used of each, jobs, labels") { output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await global.CreateClient(parse).ListNodesAsync(cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.IReadOnlyListNodeView, cancellationToken);
            }
            else
            {
                await Console.Out.WriteAsync(Render(result.Value).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Manage(GlobalOptions global)
    {
        var node = new Command("node", "Drain or resume a node (admin)");
        foreach (var drain in (bool[])[true, false])
        {
            var name = new Argument<string>("NAME") { Description = "The node's name (see godocker nodes)" };
            var command = drain
                ? new Command("drain", "Place no new jobs on the node; its running jobs go on. Kept until resumed, across restarts") { name }
                : new Command("resume", "Place jobs on a drained node again") { name };
            command.SetAction(async (parse, cancellationToken) =>
            {
                var client = global.CreateClient(parse);
                var result = drain
                    ? await client.DrainNodeAsync(parse.GetValue(name)!, cancellationToken)
                    : await client.ResumeNodeAsync(parse.GetValue(name)!, cancellationToken);
                if (!result.IsOk)
                {
                    return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                }
                var view = result.Value;
                var line = view.DrainedBy is { } by ? $"node {view.Name} drained by {by}" : $"node {view.Name} resumed ({view.State})";
                await Console.Out.WriteLineAsync(line.AsMemory(), cancellationToken);
                return ExitCodes.Ok;
            });
            node.Subcommands.Add(command);
        }
        return node;
    }

    internal static string Render(IEnumerable<NodeView> nodes, TimeZoneInfo? zone = null)
    {
        var table = new Table(
            new Column("NAME"), new Column("STATE"), new Column("CPUS", Align.Right), new Column("MEMORY", Align.Right),
            new Column("GPUS", Align.Right), new Column("JOBS", Align.Right), new Column("LABELS"));
        foreach (var node in nodes)
        {
            table.Add(
                node.Name,
                node is { State: "down", DownSince: { } since } ? $"down since {Display.Time(since, zone)}" : node.State,
                $"{Display.Cpus(node.Used.Cpus)}/{Display.Cpus(node.Capacity.Cpus)}",
                $"{ByteSize.Format(node.Used.MemoryBytes)}/{ByteSize.Format(node.Capacity.MemoryBytes)}",
                string.Create(CultureInfo.InvariantCulture, $"{node.Used.Gpus}/{node.Capacity.Gpus}"),
                node.Jobs.ToString(CultureInfo.InvariantCulture),
                node.Labels.Count == 0 ? Display.None : string.Join(",", node.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        }
        return table.Render();
    }
}
