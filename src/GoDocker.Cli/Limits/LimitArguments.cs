using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GoDocker.Jobs;

namespace GoDocker.Cli.Limits;

/// <summary>
/// The value options of `godocker quota set`: a number (or size), or "none" to remove that one setting
/// (as sacctmgr's -1, which is accepted too where -1 is not a value of its own).
/// </summary>
internal static class LimitArguments
{
    public const string None = "none";

    public static Option<Setting<double>?> Number(string name, string description) =>
        new(name) { Description = description + "; none removes it", HelpName = "X", CustomParser = r => Parse(r, ParseNumber) };

    public static Option<Setting<int>?> Count(string name, string description) =>
        new(name) { Description = description + "; none removes it", HelpName = "N", CustomParser = r => Parse(r, ParseCount) };

    /// <summary>A whole number that may be negative (an account's priority).</summary>
    public static Option<Setting<int>?> SignedCount(string name, string description) =>
        new(name) { Description = description + "; none removes it", HelpName = "N", CustomParser = r => Parse(r, ParseSigned, minusOneRemoves: false) };

    public static Option<Setting<long>?> Size(string name, string description) =>
        new(name) { Description = description + "; none removes it", HelpName = "SIZE", CustomParser = r => Parse(r, ParseSize) };

    private static Setting<T>? Parse<T>(ArgumentResult result, Func<string, (bool Ok, T Value, string Expected)> parse, bool minusOneRemoves = true)
        where T : struct
    {
        var text = result.Tokens[^1].Value.Trim();
        if (text.Equals(None, StringComparison.OrdinalIgnoreCase) || (minusOneRemoves && text == "-1"))
        {
            return new Setting<T>(null);
        }
        var (ok, value, expected) = parse(text);
        if (ok)
        {
            return new Setting<T>(value);
        }
        var option = (result.Parent as OptionResult)?.IdentifierToken?.Value ?? "value";
        result.AddError($"{option}: '{text}' is not {expected} (or {None})");
        return null;
    }

    private static (bool, double, string) ParseNumber(string text) =>
        (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value), value, "a number ≥ 0");

    private static (bool, int, string) ParseCount(string text) =>
        (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value), value, "a whole number ≥ 0");

    private static (bool, int, string) ParseSigned(string text) =>
        (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value), value, "a whole number");

    private static (bool, long, string) ParseSize(string text) =>
        (ByteSize.TryParse(text, out var bytes) && bytes > 0, bytes, "a memory size (512M, 64G)");
}
