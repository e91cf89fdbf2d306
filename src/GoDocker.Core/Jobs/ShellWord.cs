namespace GoDocker.Jobs;

/// <summary>
/// Words for a POSIX sh (dash, busybox sh, bash): the one quoting the generated scripts (job entrypoints, TES runners,
/// DRMAA commands) and the lines shown to people (timelines, the CLI) share.
/// </summary>
public static class ShellWord
{
    /// <summary>A word sh takes literally: in single quotes, each ' closed, escaped and reopened; nothing inside is expanded.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The word as people paste it back into a shell: bare when sh reads it as it is (letters, digits and -_./:=,+@%),
    /// else <see cref="Quote"/>d.
    /// </summary>
    public static string Readable(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '+' or '@' or '%')
            ? word
            : Quote(word);
}
