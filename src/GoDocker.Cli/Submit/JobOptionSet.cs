using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GoDocker.Cli.Submit;

/// <summary>
/// The options that describe a job (image, resources, walltime, project, mail…), shared by `godocker submit` and
/// `godocker run`, and read into <see cref="SubmitFlags"/>. Both commands take the same long names; only submit has
/// -i for --image and -t for --tag, since run's -i and -t are docker's (interactive, terminal).
/// </summary>
internal sealed class JobOptionSet
{
    public enum ShortNames
    {
        /// <summary>-i is --image, -t is --tag.</summary>
        Submit,
        /// <summary>-i and -t are left to the command (run -it).</summary>
        Run,
    }

    public JobOptionSet(ShortNames shorts)
    {
        name = new("--name", "-J") { Description = "Job name (default: the command, or 'script')", HelpName = "NAME" };
        image = new("--image", shorts == ShortNames.Submit ? ["-i"] : []) { Description = "Docker image (default: the site's)", HelpName = "IMAGE" };
        cpus = new("--cpus", "-c") { Description = "CPUs, may be fractional", HelpName = "N", CustomParser = ParseCpus };
        memory = new("--mem", "-m") { Description = "Memory: 512M, 2G, 1.5GiB; a bare number is MiB", HelpName = "SIZE" };
        env = new("--env", "-e") { Description = "Environment variable (repeatable)", HelpName = "KEY=VALUE" };
        // --chdir is Slurm's long name for -D; scripts written for sbatch keep working.
        workdir = new("--workdir", "-D", "--chdir") { Description = "Working directory inside the container (a granted volume's path, to start where your files are)", HelpName = "DIR" };
        volumes = new("--volume", "-v")
        {
            Description = "Mount a site volume granted to you, by name; :ro for read-only, :rw (repeatable)",
            HelpName = "NAME[:ro]",
        };
        tags = new("--tag", shorts == ShortNames.Submit ? ["-t"] : []) { Description = "Tag (repeatable)", HelpName = "TAG" };
        project = new("--project", "-p") { Description = "Project to account the job to", HelpName = "PROJECT" };
        walltime = new("--time", "-T") { Description = "Walltime: minutes, HH:MM:SS, D-HH:MM:SS, 90s, 15m, 2h, 1d", HelpName = "TIME" };
        labels = new("--label", "-l") { Description = "Label (repeatable)", HelpName = "KEY=VALUE" };
        gpus = new("--gpus", "-G") { Description = "GPUs (whole devices)", HelpName = "N", CustomParser = ParseGpus };
        constraints = new("--constraint", "-C")
        {
            Description = "Node label condition, all must hold: disk==ssd, zone!=b (repeatable, or joined with &)",
            HelpName = "EXPR",
        };
        array = new("--array", "-a")
        {
            Description = "A job array: 1-100, 0-30:2 (step), 1,3,5-7; %N runs at most N at once. Each task sees GODOCKER_TASK_ID; prints the array's id",
            HelpName = "SPEC",
        };
        dependency = new("--dependency", "-d")
        {
            Description = "Start only after other jobs: afterok:ID[:ID...], afterany:ID, afternotok:ID; joined with ',' all must hold",
            HelpName = "SPEC",
        };
        hold = new("--hold", "-H") { Description = "Submit held: the job waits until released (godocker release ID)", Arity = ArgumentArity.Zero };
        requeue = new("--requeue")
        {
            Description = "Run the job again from the start if its node goes down (the site's default says what happens otherwise)",
            Arity = ArgumentArity.Zero,
        };
        noRequeue = new("--no-requeue") { Description = "Fail the job if its node goes down, instead of running it again", Arity = ArgumentArity.Zero };
        network = new("--network")
        {
            Description = "none: the job gets loopback only (default: the site's jobs network)",
            HelpName = "default|none",
        };
        mailType = new("--mail-type")
        {
            Description = "Mail at these moments: BEGIN, END (every end), FAIL, REQUEUE, ALL, NONE; comma-separated (default: the site's)",
            HelpName = "TYPE[,TYPE]",
        };
        mailUser = new("--mail-user") { Description = "Who gets the mail (default: your account's address)", HelpName = "ADDRESS" };
        volumes.Validators.Add(ValidateVolumes);
        export = new("--export")
        {
            Description = "Set these variables of your environment (or the values given) in the job's: VAR[,VAR=VALUE...]; NONE (default). ALL is refused: your PATH and HOME are wrong in the image",
            HelpName = "VAR[,VAR=VALUE]",
        };
        export.Validators.Add(ExportArgument.Validate);
        env.Validators.Add(KeyValueArgument.Validate);
        labels.Validators.Add(KeyValueArgument.Validate);
        constraints.Validators.Add(SchedulingArguments.ValidateConstraints);
        array.Validators.Add(SchedulingArguments.ValidateArray);
        dependency.Validators.Add(SchedulingArguments.ValidateDependency);
        network.AcceptOnlyFromAmong("default", "none");
        // sbatch's -o/-e, long names only: here -o is the output format and -e is --env. Not on run, whose output is the terminal.
        stdout = new("--stdout")
        {
            Description = "Append the job's stdout to this file in a volume it mounts read-write, as sbatch -o: %j id, %x name, %u user, %A array id, %a task, %% (default: the job directory's, godocker logs)",
            HelpName = "PATH",
        };
        stderr = new("--stderr") { Description = "The same for stderr, as sbatch -e; the --stdout path again joins them in one file", HelpName = "PATH" };
        Options = [name, image, cpus, memory, env, export, workdir, volumes, tags, project, walltime, labels, gpus, constraints, array, dependency, hold, requeue, noRequeue, network, mailType, mailUser,
            .. shorts == ShortNames.Submit ? new Option[] { stdout, stderr } : Array.Empty<Option>()];
    }

    private readonly Option<string> name;
    private readonly Option<string> image;
    private readonly Option<double?> cpus;
    private readonly Option<string> memory;
    private readonly Option<string[]> env;
    private readonly Option<string[]> export;
    private readonly Option<string> workdir;
    private readonly Option<string[]> volumes;
    private readonly Option<string[]> tags;
    private readonly Option<string> project;
    private readonly Option<string> walltime;
    private readonly Option<string[]> labels;
    private readonly Option<int?> gpus;
    private readonly Option<string[]> constraints;
    private readonly Option<string> array;
    private readonly Option<string> dependency;
    private readonly Option<bool> hold;
    private readonly Option<bool> requeue;
    private readonly Option<bool> noRequeue;
    private readonly Option<string> network;
    private readonly Option<string> mailType;
    private readonly Option<string> mailUser;
    private readonly Option<string> stdout;
    private readonly Option<string> stderr;

    /// <summary>Every job option, in the order help lists them.</summary>
    public IReadOnlyList<Option> Options { get; }

    public void AddTo(Command command)
    {
        foreach (var option in Options)
        {
            command.Add(option);
        }
    }

    /// <summary>What the parse gave for these options (null or empty where not given).</summary>
    /// <exception cref="UsageException">when --requeue and --no-requeue are both given.</exception>
    public SubmitFlags Read(ParseResult parse) => new()
    {
        Name = parse.GetValue(name),
        Image = parse.GetValue(image),
        Cpus = parse.GetValue(cpus),
        Memory = parse.GetValue(memory),
        Workdir = parse.GetValue(workdir),
        Project = parse.GetValue(project),
        Walltime = parse.GetValue(walltime),
        // -e after --export, so a value given with -e wins over the exported one, as a later -e does.
        Env = [.. ExportArgument.Resolve(parse.GetValue(export), Environment.GetEnvironmentVariable), .. KeyValueArgument.ParseAll(parse.GetValue(env))],
        Tags = parse.GetValue(tags) ?? [],
        Volumes = parse.GetValue(volumes) ?? [],
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
        // An option run does not carry is not in its parse: GetValue would throw.
        Stdout = Options.Contains(stdout) ? parse.GetValue(stdout) : null,
        Stderr = Options.Contains(stderr) ? parse.GetValue(stderr) : null,
    };

    /// <summary>
    /// NAME, NAME:ro or NAME:rw, as the server reads them; checked here so a typo in a #GODOCKER line is a usage
    /// error naming the line, not a 400 after the script was read. Whether the volume is granted is the server's call.
    /// </summary>
    private static void ValidateVolumes(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            var text = token.Value;
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var volumeName = colon < 0 ? text : text[..colon];
            var mode = colon < 0 ? null : text[(colon + 1)..];
            if (volumeName.Length == 0 || volumeName.Contains('/', StringComparison.Ordinal) || mode is not (null or "ro" or "rw"))
            {
                result.AddError($"--volume: '{text}' is not a volume; give a site volume's name, optionally :ro or :rw");
                return;
            }
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
