namespace GoDocker.Storage;

/// <summary>LIKE patterns built from caller text: every character of the text matches only itself, wildcards included.</summary>
internal static class LikePattern
{
    /// <summary>The escape character the statements name (<c>ESCAPE '\'</c>).</summary>
    public const string EscapeClause = "ESCAPE '\\'";

    /// <summary>A pattern matching any text that holds <paramref name="text"/>; use with <see cref="EscapeClause"/>.</summary>
    public static string Containing(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
