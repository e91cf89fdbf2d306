using System.Diagnostics.CodeAnalysis;

namespace GoDocker.Notifications;

/// <summary>
/// Which moments of a job are told, as Slurm's --mail-type names them: BEGIN (it starts running), END (it ended, however),
/// FAIL (it ended other than succeeded), REQUEUE (a run was put back in the queue to run again). A job's mail and a webhook's
/// subscription are each a set of these.
/// </summary>
[Flags]
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<MailTypes>))]
public enum MailTypes
{
    None = 0,
    Begin = 1,
    End = 2,
    Fail = 4,
    Requeue = 8,
    All = Begin | End | Fail | Requeue,
}

public static class MailTypeList
{
    /// <summary>
    /// Reads "END,FAIL" (case-insensitive, comma-separated; ALL and NONE as in Slurm; NONE only alone). False with the
    /// sentence people read for anything else.
    /// </summary>
    public static bool TryParse(string? text, out MailTypes types, [NotNullWhen(false)] out string? error)
    {
        types = MailTypes.None;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "give one or more of BEGIN, END, FAIL, REQUEUE, ALL, or NONE";
            return false;
        }
        var words = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (var word in words)
        {
            MailTypes one = word.ToUpperInvariant() switch
            {
                "BEGIN" => MailTypes.Begin,
                "END" => MailTypes.End,
                "FAIL" => MailTypes.Fail,
                "REQUEUE" => MailTypes.Requeue,
                "ALL" => MailTypes.All,
                "NONE" => MailTypes.None,
                _ => (MailTypes)(-1),
            };
            if (one == (MailTypes)(-1))
            {
                error = $"'{word}' is not a mail type (BEGIN, END, FAIL, REQUEUE, ALL, NONE)";
                return false;
            }
            if (one == MailTypes.None && words.Length > 1)
            {
                error = "NONE cannot be combined with other mail types";
                return false;
            }
            types |= one;
        }
        return true;
    }

    /// <summary>Reads a list this code wrote (<see cref="Format"/>): a stored value that does not read is a fault.</summary>
    public static MailTypes ParseStored(string text) =>
        TryParse(text, out var types, out var error) ? types : throw new FormatException($"stored mail types '{text}': {error}");

    /// <summary>"END,FAIL" (Slurm's spelling); "NONE" for none, "ALL" for all.</summary>
    public static string Format(MailTypes types)
    {
        if (types == MailTypes.None)
        {
            return "NONE";
        }
        if (types == MailTypes.All)
        {
            return "ALL";
        }
        var names = new List<string>();
        foreach (var (flag, name) in new[] { (MailTypes.Begin, "BEGIN"), (MailTypes.End, "END"), (MailTypes.Fail, "FAIL"), (MailTypes.Requeue, "REQUEUE") })
        {
            if (types.HasFlag(flag))
            {
                names.Add(name);
            }
        }
        return string.Join(',', names);
    }
}
