using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GoDocker.Cli.Output;
using GoDocker.Cli.Submit;
using GoDocker.Cli.Wait;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker submit [options] [SCRIPT_FILE | -- ARGV...]`, sbatch-like: prints the new job's id (an array's id for --array).
/// A script's #GODOCKER lines are parsed by this same command's options; flags on the command line win.
/// </summary>
internal sealed class SubmitCommand
{
    private readonly GlobalOptions global;

    /// <summary>The job's options, shared with `godocker run`; a script's #GODOCKER lines may carry these and no others.</summary>
    private readonly JobOptionSet job = new(JobOptionSet.ShortNames.Submit);
    private readonly Option<string> inlineScript = new("--script", "-s") { Description = "Script text to run instead of a SCRIPT_FILE", HelpName = "TEXT" };
    private readonly Option<string> output = OutputOption.Create("id", "json");

    /// <summary>sbatch's --parsable: only the id on stdout, which is already what -o id prints; accepted so sbatch habits and tools work.</summary>
    private readonly Option<bool> parsable = new("--parsable")
    {
        Description = "Print only the job's id (the default; as sbatch --parsable)",
        Arity = ArgumentArity.Zero,
    };

    private readonly Option<bool> wait = new("--wait", "-W")
    {
        Description = "After submitting, print the id, wait for the job to end and exit with its exit code (as godocker wait)",
        Arity = ArgumentArity.Zero,
    };
    private readonly Argument<string[]> target = new("SCRIPT_FILE | -- ARGV")
    {
        Description = "A script file ('-' for stdin), or after -- a command and its arguments",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The names of the options a #GODOCKER line may carry: the job's, not how this client behaves.</summary>
    private readonly HashSet<string> directiveOptionNames;

    public SubmitCommand(GlobalOptions global)
    {
        this.global = global;
        directiveOptionNames = job.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        Command = new Command("submit", "Submit a job; prints its id");
        job.AddTo(Command);
        Command.Add(inlineScript);
        Command.Add(output);
        Command.Add(parsable);
        Command.Add(wait);
        Command.Add(target);
        Command.SetAction(RunAsync);
    }

    public Command Command { get; }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var input = Input(parse);
        var script = input.InlineScript;
        if (input.ScriptPath is { } path)
        {
            script = await ReadScriptAsync(path, cancellationToken);
        }
        var spec = Compose(parse, script, input.Command, input.Source);

        var json = parse.GetValue(output) == "json";
        if (json && parse.GetValue(parsable))
        {
            throw new UsageException("submit: --parsable prints only the id; it does not go with -o json");
        }
        var waitForEnd = parse.GetValue(wait);
        if (waitForEnd && spec.Array is not null)
        {
            // The printed id is the array's first task; waiting on it alone would exit before the other tasks end.
            throw new UsageException("submit: --wait waits for one job, not an array; wait for each task with godocker wait");
        }

        var client = global.CreateClient(parse);
        long id;
        if (json)
        {
            var view = await client.SubmitAsync(spec, cancellationToken);
            if (!view.IsOk)
            {
                var refused = await ProblemReport.WriteAsync(view.Problem, cancellationToken);
                return waitForEnd ? ExitCodes.OwnFailure : refused;
            }
            await JsonOutput.WriteAsync(view.Value, GoDockerJson.Default.JobView, cancellationToken);
            id = view.Value.Id;
        }
        else
        {
            var submitted = await client.SubmitForIdAsync(spec, cancellationToken);
            if (!submitted.IsOk)
            {
                var refused = await ProblemReport.WriteAsync(submitted.Problem, cancellationToken);
                return waitForEnd ? ExitCodes.OwnFailure : refused;
            }
            id = submitted.Value;
            await Console.Out.WriteAsync((id.ToString(CultureInfo.InvariantCulture) + "\n").AsMemory(), cancellationToken);
        }
        if (!waitForEnd)
        {
            return ExitCodes.Ok;
        }
        // The id is out before the wait starts, so a tool that reads it (or a user who presses Ctrl-C) has it.
        await Console.Out.FlushAsync(cancellationToken);
        return await JobWaiter.WaitAsync(client, id, limit: null, TimeProvider.System, cancellationToken);
    }

    /// <summary>Which of script file, stdin, --script or -- ARGV the command line chose; exactly one is required.</summary>
    /// <exception cref="UsageException">when none or several were given.</exception>
    internal SubmitInput Input(ParseResult parse)
    {
        var values = parse.GetValue(target) ?? [];
        var dash = parse.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        // Everything after -- is an argument of this command, so the argv is the tail of the values.
        var afterDash = dash < 0 ? 0 : parse.Tokens.Count - dash - 1;
        var beforeDash = values[..^afterDash];
        var argv = dash < 0 ? null : values[^afterDash..];
        var inline = parse.GetValue(inlineScript);

        // The argument takes any token, so an option this command does not know lands here; say so rather than call it a file.
        if (beforeDash.FirstOrDefault(v => v.Length > 1 && v[0] == '-') is { } unknown)
        {
            throw new UsageException($"submit: unknown option '{unknown}' (see godocker submit --help; a script named like an option needs ./)");
        }
        if (beforeDash.Length > 1)
        {
            throw new UsageException($"submit: one SCRIPT_FILE at most (got {ShellWords.Join(beforeDash)}); to run a command, put it after --");
        }
        var scriptPath = beforeDash.Length == 1 ? beforeDash[0] : null;
        if (argv is { Length: 0 })
        {
            throw new UsageException("submit: nothing after --; give the command to run");
        }
        var given = (scriptPath is null ? 0 : 1) + (argv is null ? 0 : 1) + (inline is null ? 0 : 1);
        if (given == 0)
        {
            throw new UsageException("submit: nothing to run; give a SCRIPT_FILE, --script TEXT, or -- COMMAND [ARGS...]");
        }
        if (given > 1)
        {
            throw new UsageException("submit: give only one of SCRIPT_FILE, --script TEXT, or -- COMMAND [ARGS...]");
        }
        return new SubmitInput { ScriptPath = scriptPath, InlineScript = inline, Command = argv };
    }

    /// <summary>
    /// The spec to submit: the command line's flags laid over the script's #GODOCKER directives (if there is a script).
    /// </summary>
    /// <exception cref="UsageException">when a directive does not parse or is not a job option.</exception>
    internal JobSpec Compose(ParseResult commandLine, string? script, IReadOnlyList<string>? command, string source)
    {
        var flags = ReadFlags(commandLine);
        if (script is not null && ScriptDirectives.Read(script) is { Count: > 0 } directives)
        {
            flags = flags.Over(ReadDirectives(directives, source));
        }
        return flags.ToSpec(script, command);
    }

    private SubmitFlags ReadDirectives(IReadOnlyList<string> args, string source) =>
        ReadJobOptions(args, $"{source}: {ScriptDirectives.Prefix}", "directives");

    /// <summary>
    /// Job options given as words outside the command line (a script's #GODOCKER lines, a DRMAA native specification),
    /// parsed by this command's own options; <paramref name="prefix"/> starts each message and <paramref name="where"/>
    /// names what carried them ("directives").
    /// </summary>
    /// <exception cref="UsageException">when a word does not parse, is not a job option, or is not an option at all.</exception>
    internal SubmitFlags ReadJobOptions(IReadOnlyList<string> args, string prefix, string where)
    {
        var parse = Command.Parse(args, GoDockerCommandLine.Parsing);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.Option && !directiveOptionNames.Contains(token.Value))
            {
                throw new UsageException($"{prefix} {token.Value}: only job options belong in {where}");
            }
            if (token.Type is TokenType.DoubleDash)
            {
                throw new UsageException($"{prefix}: {where} hold options only, not a command");
            }
        }
        if (parse.Errors.Count > 0)
        {
            throw new UsageException($"{prefix}: {parse.Errors[0].Message}");
        }
        if (parse.GetValue(target) is { Length: > 0 } stray)
        {
            throw new UsageException($"{prefix}: '{stray[0]}' is not an option; {where} hold options only");
        }
        return ReadFlags(parse);
    }

    private SubmitFlags ReadFlags(ParseResult parse) => job.Read(parse);

    private static async Task<string> ReadScriptAsync(string path, CancellationToken cancellationToken)
    {
        if (path == SubmitInput.StdinPath)
        {
            using var stdin = new StreamReader(Console.OpenStandardInput());
            return await stdin.ReadToEndAsync(cancellationToken);
        }
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"submit: no script file '{path}' (to run a command, put it after --)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"submit: cannot read script file '{path}': {e.Message}");
        }
    }
}
