using System.CommandLine;

namespace GoDocker.Cli.Output;

/// <summary>The `-o/--output FORMAT` option each printing command has, with its own formats and default.</summary>
internal static class OutputOption
{
    public static Option<string> Create(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(" or ", formats)} (default: {defaultFormat})",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => defaultFormat,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }
}
