using System.CommandLine;
using GoDocker.Cli.Wait;

namespace GoDocker.Cli.Commands;

/// <summary>`godocker wait ID [--timeout SECONDS]`: polls until the job ends, then exits as the job did (see <see cref="WaitOutcome"/>).</summary>
internal static class WaitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create();
        var timeout = new Option<double?>("--timeout") { Description = "Give up after this many seconds (exit 124)", HelpName = "SECONDS" };
        timeout.Validators.Add(r =>
        {
            // The token itself: a value that does not parse is the parser's own error, which reading it here would throw.
            if (r.Tokens is [var token] && double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds <= 0)
            {
                r.AddError("--timeout must be more than 0 seconds");
            }
        });
        var command = new Command("wait", "Wait for a job to end; exit with its exit code") { id, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var limit = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            return await JobWaiter.WaitAsync(client, parse.GetValue(id), limit, TimeProvider.System, cancellationToken);
        });
        return command;
    }
}
