using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GoDocker.Cli.Output;
using GoDocker.Cli.Submit;
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

    private readonly Option<string> name = new("--name", "-J") { Description = "Job name (default: the command, or 'script')", HelpName = "NAME" };
    private readonly Option<string> image = new("--image", "-i") { Description = "Docker image (default: the site's)", HelpName = "IMAGE" };
    private readonly Option<double?> cpus = new("--cpus", "-c") { Description = "CPUs, may be fractional", HelpName = "N", CustomParser = ParseCpus };
    private readonly Option<string> memory = new("--mem", "-m") { Description = "Memory: 512M, 2G, 1.5GiB; a bare number is MiB", HelpName = "SIZE" };
    private readonly Option<string[]> env = new("--env", "-e") { Description = "Environment variable (repeatable)", HelpName = "KEY=VALUE" };
    private readonly Option<string> workdir = new("--workdir", "-D") { Description = "Working directory inside the container", HelpName = "DIR" };
    private readonly Option<string[]> tags = new("--tag", "-t") { Description = "Tag (repeatable)", HelpName = "TAG" };
    private readonly Option<string> project = new("--project", "-p") { Description = "Project to account the job to", HelpName = "PROJECT" };
    private readonly Option<string> walltime = new("--time", "-T") { Description = "Walltime: minutes, HH:MM:SS, D-HH:MM:SS, 90s, 15m, 2h, 1d", HelpName = "TIME" };
    private readonly Option<string[]> labels = new("--label", "-l") { Description = "Label (repeatable)", HelpName = "KEY=VALUE" };
    private readonly Option<int?> gpus = new("--gpus", "-G") { Description = "GPUs (whole devices)", HelpName = "N", CustomParser = ParseGpus };
    private readonly Option<string[]> constraints = new("--constraint", "-C")
    {
        Description = "Node label condition, all must hold: disk==ssd, zone!=b (repeatable, or joined with &)",
        HelpName = "EXPR",
    };
    private readonly Option<string> array = new("--array", "-a")
    {
        Description = "A job array: 1-100, 0-30:2 (step), 1,3,5-7; %N runs at most N at once. Each task sees GODOCKER_TASK_ID; prints the array's id",
        HelpName = "SPEC",
    };
    private readonly Option<string> dependency = new("--dependency", "-d")
    {
        Description = "Start only after other jobs: afterok:ID[:ID...], afterany:ID, afternotok:ID; joined with ',' all must hold",
        HelpName = "SPEC",
    };
    private readonly Option<bool> hold = new("--hold", "-H") { Description = "Submit held: the job waits until released (godocker release ID)", Arity = ArgumentArity.Zero };
    private readonly Option<bool> requeue = new("--requeue")
    {
        Description = "Run the job again from the start if its node goes down (the site's default says what happens otherwise)",
        Arity = ArgumentArity.Zero,
    };
    private readonly Option<bool> noRequeue = new("--no-requeue") { Description = "Fail the job if its node goes down, instead of running it again", Arity = ArgumentArity.Zero };
    private readonly Option<string> network = new("--network")
    {
        Description = "none: the job gets loopback only (default: the site's jobs network)",
        HelpName = "default|none",
    };
    private readonly Option<string> mailType = new("--mail-type")
    {
        Description = "Mail at these moments: BEGIN, END (every end), FAIL, REQUEUE, ALL, NONE; comma-separated (default: the site's)",
        HelpName = "TYPE[,TYPE]",
    };
    private readonly Option<string> mailUser = new("--mail-user") { Description = "Who gets the mail (default: your account's address)", HelpName = "ADDRESS" };
    private readonly Option<string> inlineScript = new("--script", "-s") { Description = "Script text to run instead of a SCRIPT_FILE", HelpName = "TEXT" };
    private readonly Option<string> output = OutputOption.Create("id", "json");
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
        env.Validators.Add(KeyValueArgument.Validate);
        labels.Validators.Add(KeyValueArgument.Validate);
        constraints.Validators.Add(SchedulingArguments.ValidateConstraints);
        array.Validators.Add(SchedulingArguments.ValidateArray);
        dependency.Validators.Add(SchedulingArguments.ValidateDependency);
        network.AcceptOnlyFromAmong("default", "none");
        Option[] jobOptions = [name, image, cpus, memory, env, workdir, tags, project, walltime, labels, gpus, constraints, array, dependency, hold, requeue, noRequeue, network, mailType, mailUser];
        directiveOptionNames = jobOptions.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        Command = new Command("submit", "Submit a job; prints its id")
        {
            name, image, cpus, memory, env, workdir, tags, project, walltime, labels, gpus, constraints, array, dependency, hold, requeue, noRequeue, network, mailType, mailUser,
            inlineScript, output, target,
        };
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

        var client = global.CreateClient(parse);
        if (parse.GetValue(output) == "json")
        {
            var view = await client.SubmitAsync(spec, cancellationToken);
            if (!view.IsOk)
            {
                return await ProblemReport.WriteAsync(view.Problem, cancellationToken);
            }
            await JsonOutput.WriteAsync(view.Value, GoDockerJson.Default.JobView, cancellationToken);
            return ExitCodes.Ok;
        }
        var id = await client.SubmitForIdAsync(spec, cancellationToken);
        if (!id.IsOk)
        {
            return await ProblemReport.WriteAsync(id.Problem, cancellationToken);
        }
        await Console.Out.WriteAsync((id.Value.ToString(CultureInfo.InvariantCulture) + "\n").AsMemory(), cancellationToken);
        return ExitCodes.Ok;
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

    private SubmitFlags ReadDirectives(IReadOnlyList<string> args, string source)
    {
        var parse = Command.Parse(args, GoDockerCommandLine.Parsing);
        var prefix = $"{source}: {ScriptDirectives.Prefix}";
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.Option && !directiveOptionNames.Contains(token.Value))
            {
                throw new UsageException($"{prefix} {token.Value}: only job options belong in directives");
            }
            if (token.Type is TokenType.DoubleDash)
            {
                throw new UsageException($"{prefix}: directives hold options only, not a command");
            }
        }
        if (parse.Errors.Count > 0)
        {
            throw new UsageException($"{prefix}: {parse.Errors[0].Message}");
        }
        if (parse.GetValue(target) is { Length: > 0 } stray)
        {
            throw new UsageException($"{prefix}: '{stray[0]}' is not an option; directives hold options only");
        }
        return ReadFlags(parse);
    }

    private SubmitFlags ReadFlags(ParseResult parse) => new()
    {
        Name = parse.GetValue(name),
        Image = parse.GetValue(image),
        Cpus = parse.GetValue(cpus),
        Memory = parse.GetValue(memory),
        Workdir = parse.GetValue(workdir),
        Project = parse.GetValue(project),
        Walltime = parse.GetValue(walltime),
        Env = KeyValueArgument.ParseAll(parse.GetValue(env)),
        Tags = parse.GetValue(tags) ?? [],
        Labels = KeyValueArgument.ParseAll(parse.GetValue(labels)),
        Gpus = parse.GetValue(gpus),
        Constraints = SchedulingArguments.SplitConstraints(parse.GetValue(constraints)),
        Array = parse.GetValue(array),
        Dependency = parse.GetValue(dependency),
        Hold = parse.GetValue(hold) ? true : null,
        Requeue = (parse.GetValue(requeue), parse.GetValue(noRequeue)) switch
        {
            (true, true) => throw new UsageException("--requeue and --no-requeue: give one or the other"),
            (true, false) => true,
            (false, true) => false,
            _ => null,
        },
        Network = parse.GetValue(network),
        MailType = parse.GetValue(mailType),
        MailUser = parse.GetValue(mailUser),
    };

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

    private static double? ParseCpus(ArgumentResult result)
    {
        var text = result.Tokens[^1].Value;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }
        result.AddError($"--cpus: '{text}' is not a positive number");
        return null;
    }

    private static int? ParseGpus(ArgumentResult result)
    {
        var text = result.Tokens[^1].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        result.AddError($"--gpus: '{text}' is not a whole number of gpus");
        return null;
    }
}
