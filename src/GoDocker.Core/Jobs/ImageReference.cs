using System.Text.RegularExpressions;

namespace GoDocker.Jobs;

/// <summary>The Docker reference grammar (distribution/reference), enough to refuse what no engine would accept.</summary>
public static partial class ImageReference
{
    // [registry[:port]/]path-component(/path-component)*[:tag][@digest]. ASCII classes only (.NET's \w and \d take any
    // script's letters and digits), and \z, not $: $ also matches before a final newline.
    [GeneratedRegex(
        @"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\z")]
    private static partial Regex Grammar();

    public static bool IsValid(string? reference) =>
        !string.IsNullOrEmpty(reference) && reference.Length <= 255 && Grammar().IsMatch(reference);

    /// <summary>Adds ":latest" when neither tag nor digest is given, as the engine does.</summary>
    public static string Normalize(string reference)
    {
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            return reference;
        }
        var lastSlash = reference.LastIndexOf('/');
        return reference.IndexOf(':', lastSlash + 1) >= 0 ? reference : reference + ":latest";
    }
}
