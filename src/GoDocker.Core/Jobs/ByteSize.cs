using System.Globalization;

namespace GoDocker.Jobs;

/// <summary>Memory sizes as people write them: 512M, 2G, 1.5GiB, 64k; a bare number is MiB (Slurm's --mem).</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
        {
            end++;
        }
        if (end == 0 || !double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        var unit = s[end..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "M" or "MB" or "MI" or "MIB" => 1L << 20,
            "B" => 1,
            "K" or "KB" or "KI" or "KIB" => 1L << 10,
            "G" or "GB" or "GI" or "GIB" => 1L << 30,
            "T" or "TB" or "TI" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }
        var total = value * multiplier;
        if (total >= long.MaxValue || double.IsNaN(total))
        {
            return false;
        }
        bytes = (long)total;
        return true;
    }

    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var i = 0;
        while (value >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }
        return i == 0
            ? $"{bytes} B"
            : value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[i];
    }
}
