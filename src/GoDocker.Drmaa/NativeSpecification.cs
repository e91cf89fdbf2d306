using GoDocker.Cli;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Submit;

namespace GoDocker.Drmaa;

/// <summary>drmaa_native_specification's words, read by `godocker submit`'s own job options (and only those).</summary>
internal static class NativeSpecification
{
    /// <summary>The CLI's submit command; its parser is not thread-safe, so it is used under this lock.</summary>
    private static readonly SubmitCommand Submit = new(new GlobalOptions());
    private static readonly Lock Gate = new();

    /// <exception cref="UsageException">when a word does not parse, is not a job option, or is not an option at all.</exception>
    public static SubmitFlags Read(IReadOnlyList<string> words)
    {
        lock (Gate)
        {
            return Submit.ReadJobOptions(words, JobTemplate.NativeSpecification + ":", "a native specification");
        }
    }
}
