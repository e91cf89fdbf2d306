using System.CommandLine;
using System.Text;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker health`: the server's status and version, and each node's.</summary>
internal static class HealthCommand
{
    public static Command Create(GlobalOptions global)
    {
        var output = OutputOption.Create("text", "json");
        var command = new Command("health", "Show the server's and nodes' health") { output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var result = await client.HealthAsync(cancellationToken);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
            }
            if (parse.GetValue(output) == "json")
            {
                await JsonOutput.WriteAsync(result.Value, GoDockerJson.Default.HealthView, cancellationToken);
            }
            else
            {
                await Console.Out.WriteAsync(Render(result.Value, client.Server).AsMemory(), cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string Render(HealthView health, Uri server)
    {
        var text = new StringBuilder()
            .Append("Server:   ").Append(Api.ServerAddress.Display(server)).Append('\n')
            .Append("Status:   ").Append(health.Status).Append('\n')
            .Append("Version:  ").Append(health.Version).Append("\n\n");
        var nodes = new Table(new Column("NODE"), new Column("EXECUTOR"), new Column("STATUS"), new Column("CPUS", Align.Right), new Column("MEM", Align.Right), new Column("ERROR"));
        foreach (var node in health.Nodes)
        {
            nodes.Add(node.Name, node.Executor, node.Status, Display.Cpus(node.Cpus), ByteSize.Format(node.MemoryBytes), node.Error);
        }
        text.Append(nodes.Render());
        if (health.Servers.Count > 0)
        {
            var servers = new Table(new Column("SERVER"), new Column("ADDRESS"), new Column("ROLE"), new Column("LAST SEEN", Align.Right));
            foreach (var one in health.Servers)
            {
                servers.Add(one.Id + (one.Answering ? " *" : ""), one.Address, one.Leads ? "leader" : "standby",
                    one.LastSeen.UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            }
            text.Append('\n').Append(servers.Render());
        }
        return text.ToString();
    }
}
