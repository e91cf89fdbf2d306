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

    /// <summary>
    /// The problem as one of several job ids' answers: its detail names the job, so a refusal among many
    /// (`godocker hold 3 4 5`) says which.
    /// </summary>
    public static Problem ForJob(Problem problem, long id)
    {
        var job = $"job {id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return problem.Detail switch
        {
            null or "" => problem with { Detail = job },
            var detail when ContainsWord(detail, job) => problem,
            var detail => problem with { Detail = $"{job}: {detail}" },
        };
    }

    private static bool ContainsWord(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.Ordinal);
        return at >= 0 && (at + word.Length == text.Length || !char.IsAsciiDigit(text[at + word.Length]));
    }

    /// <summary>Writes the problem to stderr and gives the exit code for a refusal.</summary>
    public static async Task<int> WriteAsync(Problem problem, CancellationToken cancellationToken)
    {
        await Console.Error.WriteAsync(Format(problem).AsMemory(), cancellationToken);
        return ExitCodes.Refused;
    }
}
