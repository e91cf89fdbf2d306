using System.Text;

namespace GoDocker.IntegrationTests.Fuzz;

/// <summary>One generated request: sent through HttpClient, or byte for byte over a socket when <see cref="Raw"/>.</summary>
public sealed record FuzzRequest(string Method, string PathAndQuery)
{
    public List<(string Name, string Value)> Headers { get; } = [];
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }
    /// <summary>Bytes to write as they are (lengths that lie, bytes HttpClient refuses); null: an ordinary request.</summary>
    public byte[]? Raw { get; init; }

    /// <summary>What to print when the request found a bug: enough to send it again with curl.</summary>
    public override string ToString()
    {
        if (Raw is not null)
        {
            return "raw bytes: " + Printable(Raw, 4000);
        }
        var text = new StringBuilder().Append(Method).Append(' ').Append(PathAndQuery).Append('\n');
        if (ContentType is not null)
        {
            text.Append("Content-Type: ").Append(ContentType).Append('\n');
        }
        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").Append(name == "Authorization" ? value[..Math.Min(value.Length, 12)] + "…" : value).Append('\n');
        }
        if (Body is not null)
        {
            text.Append('\n').Append(Printable(Body, 4000));
        }
        return text.ToString();
    }

    private static string Printable(byte[] bytes, int max)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, max));
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            escaped.Append(c is < ' ' and not '\n' or '\u007f' ? $"\\x{(int)c:x2}" : c.ToString());
        }
        return escaped + (bytes.Length > max ? $"… ({bytes.Length} bytes)" : "");
    }
}
