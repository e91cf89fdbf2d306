namespace GoDocker.Cli.Output;

/// <summary>Shows an argv so it can be pasted back into a POSIX shell.</summary>
internal static class ShellWords
{
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '+' or '@' or '%'))
        {
            return word;
        }
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
