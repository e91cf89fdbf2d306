namespace GoDocker.Cli.Limits;

/// <summary>One setting named on the command line: a new value, or none (<see cref="Value"/> null) to remove it.</summary>
internal readonly record struct Setting<T>(T? Value)
    where T : struct;
