using System.Globalization;

namespace GoDocker.Jobs;

/// <summary>
/// Durations as Slurm's --time takes them (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS)
/// plus the short forms 90s, 15m, 2h, 1d.
/// </summary>
public static class Walltime
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        // A try-parse of user input never throws: a duration beyond TimeSpan (or a long of seconds) is not a duration.
        try
        {
            return TryParseOrThrowOnOverflow(text, out value);
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            value = default;
            return false;
        }
    }

    private static bool TryParseOrThrowOnOverflow(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        var suffix = char.ToLowerInvariant(s[^1]);
        if (suffix is 's' or 'm' or 'h' or 'd')
        {
            if (!long.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            value = suffix switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
            return value > TimeSpan.Zero;
        }

        long days = 0;
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!long.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out days))
            {
                return false;
            }
            s = s[(dash + 1)..];
        }
        var parts = s.Split(':');
        var numbers = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }
        long seconds = checked((dash >= 0, numbers.Length) switch
        {
            (false, 1) => numbers[0] * 60,
            (false, 2) => numbers[0] * 60 + numbers[1],
            (false, 3) => numbers[0] * 3600 + numbers[1] * 60 + numbers[2],
            (true, 1) => numbers[0] * 3600,
            (true, 2) => numbers[0] * 3600 + numbers[1] * 60,
            (true, 3) => numbers[0] * 3600 + numbers[1] * 60 + numbers[2],
            _ => -1,
        });
        if (seconds < 0)
        {
            return false;
        }
        value = TimeSpan.FromSeconds(checked(days * 86400 + seconds));
        return value > TimeSpan.Zero;
    }

    public static string Format(TimeSpan span) =>
        span.Days > 0
            ? span.ToString(@"d\-hh\:mm\:ss", CultureInfo.InvariantCulture)
            : span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
