namespace GoDocker.Cli;

/// <summary>
/// The user's input is wrong in a way the parser could not see (an unreadable script file, a bad GODOCKER_URL).
/// Thrown where it is found and turned into one stderr line and <see cref="ExitCodes.Usage"/> at the top.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
