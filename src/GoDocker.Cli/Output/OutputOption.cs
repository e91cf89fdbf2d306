using System.CommandLine;

namespace GoDocker.Cli.Output;

/// <summary>The `-o/--output FORMAT` option each printing command has; the first format listed is the default.</summary>
internal static class OutputOption
{
    public static Option<string> Create(string defaultFormat, params string[] otherFormats)
    {
        string[] formats = [defaultFormat, .. otherFormats];
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(" or ", formats)}",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => defaultFormat,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }
}
