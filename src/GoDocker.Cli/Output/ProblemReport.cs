using System.Text;
using GoDocker.Contracts;

namespace GoDocker.Cli.Output;

/// <summary>How an API refusal is told on stderr: the title and detail, then one indented "field: message" line per error.</summary>
internal static class ProblemReport
{
    public static string Format(Problem problem)
    {
        var text = new StringBuilder("godocker: ");
        var title = problem.Title ?? (problem.Status is { } status ? $"HTTP {status}" : "the server refused the request");
        text.Append(title);
        if (!string.IsNullOrWhiteSpace(problem.Detail) && problem.Detail != title)
        {
            text.Append(": ").Append(problem.Detail);
        }
        text.Append('\n');
        if (problem.Status == 401)
        {
            text.Append("  log in with: godocker login\n");
        }
        foreach (var (field, messages) in problem.Errors ?? new Dictionary<string, string[]>())
        {
            foreach (var message in messages)
            {
                text.Append("  ").Append(string.IsNullOrEmpty(field) ? "" : field + ": ").Append(message).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Writes the problem to stderr and gives the exit code for a refusal.</summary>
    public static async Task<int> WriteAsync(Problem problem, CancellationToken cancellationToken)
    {
        await Console.Error.WriteAsync(Format(problem).AsMemory(), cancellationToken);
        return ExitCodes.Refused;
    }
}
