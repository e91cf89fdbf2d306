using System.Globalization;
using System.Text;
using GoDocker.Cli;
using GoDocker.Cli.Output;
using GoDocker.Cli.Submit;
using GoDocker.Jobs;

namespace GoDocker.Drmaa;

/// <summary>A drmaa_run_bulk_jobs range: start, end and step of the task indexes.</summary>
internal sealed record BulkRange(int Start, int End, int Step)
{
    /// <summary>The --array form the server reads: START-END:STEP.</summary>
    public string ToArraySpec() => string.Create(CultureInfo.InvariantCulture, $"{Start}-{End}:{Step}");
}

/// <summary>
/// Turns a job template into the job spec `godocker submit` would send. The native specification is read by the
/// CLI's own submit options (so it takes exactly the flags `godocker submit` takes); the template's attributes are
/// laid over it and win where both say something (name, working directory, paths, walltime, hold, environment).
/// </summary>
internal static class JobComposer
{
    /// <summary>The variable the server sets in each task of an array to its index.</summary>
    public const string TaskIdVariable = "GODOCKER_TASK_ID";

    /// <param name="readNative">Parses the native specification's words as `godocker submit` options (throws <see cref="UsageException"/>).</param>
    /// <param name="home">The submitting user's home directory, for <c>$drmaa_hd_ph$</c>.</param>
    public static JobSpec Compose(
        IReadOnlyDictionary<string, string> scalars,
        IReadOnlyDictionary<string, string[]> vectors,
        BulkRange? bulk,
        Func<IReadOnlyList<string>, SubmitFlags> readNative,
        string home)
    {
        var flags = new SubmitFlags();
        if (scalars.TryGetValue(JobTemplate.NativeSpecification, out var native) && !string.IsNullOrWhiteSpace(native))
        {
            try
            {
                flags = readNative([.. ScriptDirectives.Split(native)]);
            }
            catch (UsageException e)
            {
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, e.Message);
            }
            if (flags.Array is not null)
            {
                throw new DrmaaException(DrmaaError.ConflictingAttributeValues,
                    $"{JobTemplate.NativeSpecification}: --array is drmaa_run_bulk_jobs' (start, end, incr); leave it out");
            }
        }

        if (!scalars.TryGetValue(JobTemplate.RemoteCommand, out var command) || command.Length == 0)
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{JobTemplate.RemoteCommand} is not set: nothing to run");
        }
        var argv = new List<string> { command };
        argv.AddRange(vectors.GetValueOrDefault(JobTemplate.Argv) ?? []);

        string? workdir = flags.Workdir;
        if (scalars.TryGetValue(JobTemplate.WorkingDirectory, out var wd))
        {
            if (wd.Contains(JobTemplate.IndexPlaceholder, StringComparison.Ordinal))
            {
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{JobTemplate.WorkingDirectory}: {JobTemplate.IndexPlaceholder} is not supported here (all tasks of a bulk job start in one directory)");
            }
            workdir = ExpandHome(wd, home, JobTemplate.WorkingDirectory);
            if (workdir.Contains(JobTemplate.WorkingDirectoryPlaceholder, StringComparison.Ordinal))
            {
                throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{JobTemplate.WorkingDirectory}: {JobTemplate.WorkingDirectoryPlaceholder} cannot stand in the working directory itself");
            }
        }

        var env = new List<KeyValuePair<string, string>>(flags.Env);
        var exported = new List<KeyValuePair<string, string>>();
        foreach (var pair in vectors.GetValueOrDefault(JobTemplate.Environment) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var entry = KeyValuePair.Create(pair[..equals], pair[(equals + 1)..]);
            // A value with the task's index is set by the job's shell, where the index is known.
            (bulk is not null && entry.Value.Contains(JobTemplate.IndexPlaceholder, StringComparison.Ordinal) ? exported : env).Add(entry);
        }

        string? stdinPath = null;
        if (scalars.TryGetValue(JobTemplate.InputPath, out var input))
        {
            stdinPath = ContainerPath(JobTemplate.InputPath, input, workdir, home, bulk);
        }
        var stdout = flags.Stdout;
        var stderr = flags.Stderr;
        if (scalars.TryGetValue(JobTemplate.OutputPath, out var output))
        {
            stdout = OutputPattern(ContainerPath(JobTemplate.OutputPath, output, workdir, home, bulk: null));
        }
        if (scalars.GetValueOrDefault(JobTemplate.JoinFiles) == "y")
        {
            // One file for both, as the CLI does when --stderr names the --stdout path; drmaa_error_path is then unused.
            stderr = stdout ?? throw new DrmaaException(DrmaaError.ConflictingAttributeValues, $"{JobTemplate.JoinFiles}=y needs {JobTemplate.OutputPath}");
        }
        else if (scalars.TryGetValue(JobTemplate.ErrorPath, out var error))
        {
            stderr = OutputPattern(ContainerPath(JobTemplate.ErrorPath, error, workdir, home, bulk: null));
        }

        var mailUser = vectors.GetValueOrDefault(JobTemplate.Email) is [var address] ? address : flags.MailUser;
        flags = flags with
        {
            Name = scalars.GetValueOrDefault(JobTemplate.JobName) ?? flags.Name,
            Workdir = workdir,
            Env = env,
            Stdout = stdout,
            Stderr = stderr,
            Walltime = scalars.TryGetValue(JobTemplate.WallClockHardLimit, out var limit)
                ? JobTemplate.WallClockSeconds(limit).ToString(CultureInfo.InvariantCulture) + "s"
                : flags.Walltime,
            Hold = scalars.GetValueOrDefault(JobTemplate.JobSubmissionState) == JobTemplate.Hold ? true : flags.Hold,
            MailType = scalars.GetValueOrDefault(JobTemplate.BlockEmail) == "1" ? "NONE" : flags.MailType,
            MailUser = mailUser,
            Array = bulk?.ToArraySpec(),
        };

        var needsShell = stdinPath is not null || exported.Count > 0
            || (bulk is not null && argv.Any(a => a.Contains(JobTemplate.IndexPlaceholder, StringComparison.Ordinal)));
        return needsShell
            ? flags.ToSpec(Script(argv, exported, stdinPath), null)
            : flags.ToSpec(null, argv);
    }

    /// <summary>
    /// A POSIX sh script that runs <paramref name="argv"/> in place of itself: each word single-quoted, the bulk index
    /// spliced in as "${GODOCKER_TASK_ID}" (so no value, however quoted, is read by the shell as code), stdin from the
    /// input path.
    /// </summary>
    public static string Script(IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> exported, string? stdinPath)
    {
        var script = new StringBuilder("#!/bin/sh\n");
        foreach (var (name, value) in exported)
        {
            script.Append("export ").Append(name).Append('=').Append(WithIndex(value)).Append('\n');
        }
        script.Append("exec");
        foreach (var word in argv)
        {
            script.Append(' ').Append(WithIndex(word));
        }
        if (stdinPath is not null)
        {
            script.Append(" < ").Append(WithIndex(stdinPath));
        }
        return script.Append('\n').ToString();
    }

    /// <summary>One shell word: the quoted pieces of <paramref name="text"/> around each index placeholder, joined by the task's index.</summary>
    public static string WithIndex(string text) =>
        string.Join("\"${" + TaskIdVariable + "}\"", text.Split(JobTemplate.IndexPlaceholder).Select(piece => piece.Length == 0 ? "''" : ShellWords.Quote(piece)));

    /// <summary>
    /// An input, output or error path as the job sees it: host dropped, <c>$drmaa_hd_ph$</c> and <c>$drmaa_wd_ph$</c>
    /// replaced; a relative path is relative to the working directory (as the job's own shell would take it).
    /// </summary>
    private static string ContainerPath(string name, string value, string? workdir, string home, BulkRange? bulk)
    {
        var path = ExpandHome(JobTemplate.FilePath(name, value), home, name);
        if (path.Contains(JobTemplate.WorkingDirectoryPlaceholder, StringComparison.Ordinal))
        {
            path = path.Replace(JobTemplate.WorkingDirectoryPlaceholder, workdir
                ?? throw new DrmaaException(DrmaaError.ConflictingAttributeValues, $"{name}: {JobTemplate.WorkingDirectoryPlaceholder} needs {JobTemplate.WorkingDirectory} (or --chdir in the native specification)"), StringComparison.Ordinal);
        }
        if (bulk is null && name == JobTemplate.InputPath && path.Contains(JobTemplate.IndexPlaceholder, StringComparison.Ordinal))
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name}: {JobTemplate.IndexPlaceholder} belongs to bulk jobs");
        }
        return path.StartsWith('/') || workdir is null ? path : workdir.TrimEnd('/') + "/" + path;
    }

    /// <summary>The server's --stdout pattern for a literal path: '%' escaped, the bulk index as %a (the task's id).</summary>
    private static string OutputPattern(string path) =>
        path.Replace("%", "%%", StringComparison.Ordinal).Replace(JobTemplate.IndexPlaceholder, "%a", StringComparison.Ordinal);

    private static string ExpandHome(string value, string home, string name)
    {
        if (!value.Contains(JobTemplate.HomePlaceholder, StringComparison.Ordinal))
        {
            return value;
        }
        if (home.Length == 0)
        {
            throw new DrmaaException(DrmaaError.InvalidAttributeValue, $"{name}: {JobTemplate.HomePlaceholder} but HOME is not set");
        }
        return value.Replace(JobTemplate.HomePlaceholder, home.TrimEnd('/'), StringComparison.Ordinal);
    }
}
