namespace GoDocker.Cli.Api.Http;

/// <summary>One request: method, path with query (already escaped), and an optional body sent with Content-Length.</summary>
internal sealed record HttpRequest(string Method, string PathAndQuery)
{
    public ReadOnlyMemory<byte> Body { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Sent as Idempotency-Key (a structured-field string, as the IETF draft has it): the server answers a repeat with the first result.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Asks to switch to a WebSocket (RFC 6455) of this subprotocol, with this Sec-WebSocket-Key.</summary>
    public (string Key, string SubProtocol)? WebSocket { get; init; }

    /// <summary>The whole request as bytes, so it leaves in one write: head, then body.</summary>
    public byte[] Encode(string authority, string? bearerToken = null)
    {
        var head = new System.Text.StringBuilder()
            .Append(Method).Append(' ').Append(PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(authority).Append("\r\n");
        if (bearerToken is not null)
        {
            head.Append("Authorization: Bearer ").Append(bearerToken).Append("\r\n");
        }
        head
            .Append("User-Agent: godocker\r\n")
            .Append("Accept: */*\r\n")
            // One request per process: closing tells the server not to keep state for us.
            .Append(WebSocket is null ? "Connection: close\r\n" : "Connection: Upgrade\r\n");
        if (WebSocket is { } upgrade)
        {
            head.Append("Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n")
                .Append("Sec-WebSocket-Key: ").Append(upgrade.Key).Append("\r\n")
                .Append("Sec-WebSocket-Protocol: ").Append(upgrade.SubProtocol).Append("\r\n");
        }
        if (IdempotencyKey is not null)
        {
            head.Append("Idempotency-Key: \"").Append(IdempotencyKey).Append("\"\r\n");
        }
        if (ContentType is not null)
        {
            head.Append("Content-Type: ").Append(ContentType).Append("\r\n");
        }
        if (!Body.IsEmpty || Method is "POST" or "PUT" or "PATCH")
        {
            head.Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        }
        head.Append("\r\n");
        var headBytes = System.Text.Encoding.ASCII.GetBytes(head.ToString());
        var bytes = new byte[headBytes.Length + Body.Length];
        headBytes.CopyTo(bytes, 0);
        Body.Span.CopyTo(bytes.AsSpan(headBytes.Length));
        return bytes;
    }
}
