namespace GoDocker.Tes;

/// <summary>
/// What a TES task's runner (<c>RunnerScript</c>) does inside the task's one container, in order: stage the
/// inputs in, run the executors as steps, stage the outputs out. Every path is already a container path: the reader
/// (<c>TesTaskReader</c>) matched each URL to a volume granted to the owner and checked every path, so the runner
/// only copies between mounts the container sees, as the owner's uid; the server never opens a user's file.
/// </summary>
public sealed record RunnerPlan(IReadOnlyList<StageIn> Inputs, IReadOnlyList<RunnerStep> Steps, IReadOnlyList<StageOut> Outputs);

/// <summary>TES's tesFileType.</summary>
public enum TesFileKind
{
    File,
    Directory,
}

/// <summary>
/// Input <see cref="Index"/> lands at <see cref="Path"/>: its <see cref="Content"/> written, or copied (a symbolic link when
/// <see cref="Link"/>, TES's streamable) from <see cref="Source"/>, a container path inside a mounted volume. Exactly one of
/// Content and Source is set; a Source equal to Path needs nothing done.
/// </summary>
public sealed record StageIn(int Index, string Path, TesFileKind Kind, string? Content, string? Source, bool Link);

/// <summary>
/// Executor <see cref="Index"/>: <see cref="Command"/> (argv, never through a shell) run in <see cref="Workdir"/> (null: the
/// container's), with <see cref="Env"/> added, stdin from <see cref="Stdin"/> (null: /dev/null), stdout and stderr to the
/// given paths (null: tes/INDEX.stdout and tes/INDEX.stderr in the job directory).
/// </summary>
public sealed record RunnerStep(
    int Index,
    IReadOnlyList<string> Command,
    string? Workdir,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    string? Stdin,
    string? Stdout,
    string? Stderr,
    bool IgnoreError);

/// <summary>
/// Output <see cref="Index"/>: <see cref="Path"/> copied to <see cref="Destination"/> (a container path inside a volume
/// mounted read-write) and reported under <see cref="Url"/>. With <see cref="PathPrefix"/>, Path is a wildcard pattern:
/// each match m goes to Destination + m without PathPrefix, reported as Url + the same part.
/// </summary>
public sealed record StageOut(int Index, string Path, TesFileKind Kind, string Destination, string Url, string? PathPrefix);
