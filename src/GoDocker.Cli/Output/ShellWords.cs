using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>Shows an argv so it can be pasted back into a POSIX shell.</summary>
internal static class ShellWords
{
    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    public static string Quote(string word) => ShellWord.Readable(word);
}
