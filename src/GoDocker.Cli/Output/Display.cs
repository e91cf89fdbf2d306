using System.Globalization;

namespace GoDocker.Cli.Output;

/// <summary>How single values read in tables and details: local times, cpus, missing values.</summary>
internal static class Display
{
    public const string None = "-";

    /// <summary>yyyy-MM-dd HH:mm:ss in <paramref name="zone"/> (the local zone when null).</summary>
    public static string Time(DateTimeOffset? at, TimeZoneInfo? zone = null) =>
        at is { } t
            ? TimeZoneInfo.ConvertTime(t, zone ?? TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : None;

    public static string Cpus(double cpus) => cpus.ToString("0.###", CultureInfo.InvariantCulture);

    public static string OrNone(string? value) => string.IsNullOrEmpty(value) ? None : value;

    /// <summary>
    /// How a job ended, in a few words: "exit 137: out of memory". The code is left out when the reason already
    /// states it (the server says "exit code 3"), so nothing is said twice.
    /// </summary>
    public static string Outcome(int? exitCode, string? reason)
    {
        if (exitCode is not { } code)
        {
            return reason ?? "";
        }
        if (string.IsNullOrEmpty(reason))
        {
            return $"exit {code}";
        }
        var number = code.ToString(CultureInfo.InvariantCulture);
        var mentioned = reason.Split((char[])[' ', ',', ';', ':', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Contains(number);
        return mentioned ? reason : $"exit {code}: {reason}";
    }
}
