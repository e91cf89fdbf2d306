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
}
