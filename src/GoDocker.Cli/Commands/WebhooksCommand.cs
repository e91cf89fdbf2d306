using System.CommandLine;
using System.Globalization;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker webhooks add URL [--events END,FAIL] | list | remove ID`: the caller's own webhooks.</summary>
internal static class WebhooksCommand
{
    public static Command Create(GlobalOptions global)
    {
        var webhooks = new Command("webhooks", "Your webhooks: your jobs' events POSTed, signed, to a URL the site allows");
        var url = new Argument<string>("URL");
        var events = new Option<string>("--events") { Description = "BEGIN, END, FAIL, REQUEUE or ALL, comma-separated (default ALL)", HelpName = "TYPE[,TYPE]" };
        var add = new Command("add", "Add a webhook; prints its signing secret, shown this once") { url, events };
        add.SetAction(async (parse, ct) =>
        {
            var result = await global.CreateClient(parse).AddWebhookAsync(new NewWebhookRequest(parse.GetValue(url), parse.GetValue(events)), ct);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, ct);
            }
            var hook = result.Value;
            await Console.Out.WriteAsync(
                $"webhook {hook.Id} added: {hook.Events} to {hook.Url}\nsecret: {hook.Secret}\n(shown once: verify X-GoDocker-Signature with it)\n".AsMemory(), ct);
            return ExitCodes.Ok;
        });
        webhooks.Subcommands.Add(add);
        var list = new Command("list", "List your webhooks");
        list.SetAction(async (parse, ct) =>
        {
            var result = await global.CreateClient(parse).ListWebhooksAsync(ct);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, ct);
            }
            var table = new Table(new Column("ID"), new Column("EVENTS"), new Column("URL"), new Column("CREATED"));
            foreach (var hook in result.Value)
            {
                table.Add(hook.Id, hook.Events, hook.Url, hook.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }
            await Console.Out.WriteAsync(table.Render().AsMemory(), ct);
            return ExitCodes.Ok;
        });
        webhooks.Subcommands.Add(list);
        var id = new Argument<string>("ID");
        var remove = new Command("remove", "Remove one of your webhooks") { id };
        remove.SetAction(async (parse, ct) =>
        {
            var result = await global.CreateClient(parse).RemoveWebhookAsync(parse.GetValue(id)!, ct);
            if (!result.IsOk)
            {
                return await ProblemReport.WriteAsync(result.Problem, ct);
            }
            await Console.Out.WriteAsync($"webhook {parse.GetValue(id)} removed\n".AsMemory(), ct);
            return ExitCodes.Ok;
        });
        webhooks.Subcommands.Add(remove);
        return webhooks;
    }
}
