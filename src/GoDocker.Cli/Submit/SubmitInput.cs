namespace GoDocker.Cli.Submit;

/// <summary>What the job runs, as the command line said it: a script file, the script on stdin, inline script text, or an argv after --.</summary>
internal sealed record SubmitInput
{
    /// <summary>A script file to read; "-" is stdin.</summary>
    public string? ScriptPath { get; init; }

    /// <summary>Script text given with --script.</summary>
    public string? InlineScript { get; init; }

    /// <summary>The argv given after --.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    public const string StdinPath = "-";

    /// <summary>How messages name the script the directives came from.</summary>
    public string Source => ScriptPath switch
    {
        StdinPath => "<stdin>",
        { } path => path,
        null => "--script",
    };
}
