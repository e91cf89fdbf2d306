using System.Globalization;

namespace GoDocker.Cli.Api.Http;

/// <summary>A response's status line and headers (names case-insensitive; repeated headers joined with ", ").</summary>
internal sealed record HttpResponseHead(int Status, string ReasonPhrase, IReadOnlyDictionary<string, string> Headers)
{
    public bool IsSuccess => Status is >= 200 and <= 299;

    /// <summary>The media type without parameters, lower case ("application/problem+json").</summary>
    public string? MediaType =>
        Headers.TryGetValue("Content-Type", out var value) ? value.Split(';')[0].Trim().ToLowerInvariant() : null;

    /// <exception cref="MalformedReplyException">when the status line or a header line is malformed.</exception>
    public static HttpResponseHead Parse(string statusLine, IEnumerable<string> headerLines)
    {
        var (status, reasonPhrase) = ParseStatusLine(statusLine);
        return new HttpResponseHead(status, reasonPhrase, ParseHeaders(headerLines));
    }

    /// <summary>"HTTP/1.1 201 Created"; the reason phrase may be empty or hold spaces.</summary>
    /// <exception cref="MalformedReplyException">when it is not an HTTP/1.x status line (so a wrong peer is named at once).</exception>
    public static (int Status, string ReasonPhrase) ParseStatusLine(string statusLine)
    {
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new MalformedReplyException($"not an HTTP/1.x status line: '{Shorten(statusLine)}'");
        }
        return (status, parts.Length == 3 ? parts[2] : "");
    }

    /// <exception cref="MalformedReplyException">when a line is not "Name: value".</exception>
    public static IReadOnlyDictionary<string, string> ParseHeaders(IEnumerable<string> headerLines)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in headerLines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new MalformedReplyException($"malformed header line: '{Shorten(line)}'");
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }
        return headers;
    }

    /// <summary>How the body is delimited (RFC 9112 §6.3), for a response to <paramref name="method"/>.</summary>
    /// <exception cref="MalformedReplyException">when Content-Length is not a number.</exception>
    public BodyFraming Framing(string method)
    {
        if (method == "HEAD" || Status is (>= 100 and <= 199) or 204 or 304)
        {
            return BodyFraming.None;
        }
        if (Headers.TryGetValue("Transfer-Encoding", out var encodings))
        {
            var last = encodings.Split(',')[^1].Trim();
            return last.Equals("chunked", StringComparison.OrdinalIgnoreCase) ? BodyFraming.Chunked : BodyFraming.UntilClose;
        }
        if (Headers.TryGetValue("Content-Length", out var length))
        {
            if (!long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                throw new MalformedReplyException($"bad Content-Length '{Shorten(length)}'");
            }
            return BodyFraming.Length(bytes);
        }
        return BodyFraming.UntilClose;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}

/// <summary>Where a body ends: after a byte count, at the last chunk, or when the server closes.</summary>
internal readonly record struct BodyFraming(BodyFraming.Kind Mode, long ContentLength)
{
    public enum Kind
    {
        Length,
        Chunked,
        UntilClose,
    }

    public static BodyFraming None => new(Kind.Length, 0);
    public static BodyFraming Chunked => new(Kind.Chunked, 0);
    public static BodyFraming UntilClose => new(Kind.UntilClose, 0);

    public static BodyFraming Length(long bytes) => new(Kind.Length, bytes);
}
