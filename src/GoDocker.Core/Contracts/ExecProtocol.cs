using System.Buffers;
using System.Text;
using System.Text.Json;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Contracts;

/// <summary>
/// The wire of GET /api/v1/jobs/{id}/exec (subprotocol <see cref="SubProtocol"/>), framed as Kubernetes'
/// v5.channel.k8s.io: every binary WebSocket message starts with a channel byte. Client to server: <see cref="Stdin"/>
/// data, <see cref="Resize"/> {"cols":N,"rows":N}, and <see cref="Close"/> followed by the channel closed (only
/// stdin, 0). Server to client: <see cref="Stdout"/> and <see cref="Stderr"/> data, then one <see cref="Status"/>
/// JSON (<see cref="ExecStatus"/>) as the last message before the server closes the socket.
/// </summary>
public static class ExecProtocol
{
    public const string SubProtocol = "godocker.exec.v1";

    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Status = 3;
    public const byte Resize = 4;
    public const byte Close = 255;

    /// <summary>The largest message either side sends or accepts (channel byte included).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>A data message: the channel byte, then the bytes.</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> data)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsSpan(1));
        return frame;
    }

    /// <summary>The client's end of input: the command reads end of file.</summary>
    public static byte[] CloseStdinFrame() => [Close, Stdin];

    public static byte[] ResizeFrame(TerminalSize size)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write([Resize]);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("cols", size.Cols);
            json.WriteNumber("rows", size.Rows);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A resize message's JSON (after the channel byte): both sizes, each from 1 to <see cref="TerminalSize.Max"/>.</summary>
    public static bool TryParseResize(ReadOnlySpan<byte> json, out TerminalSize size)
    {
        size = new TerminalSize(0, 0);
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("cols", out var cols) || cols.ValueKind != JsonValueKind.Number || !cols.TryGetInt32(out var c)
                || !root.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Number || !rows.TryGetInt32(out var r))
            {
                return false;
            }
            size = new TerminalSize(c, r);
            return size.IsValid;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static byte[] StatusFrame(ExecStatus status)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write([Status]);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", status.Success ? "Success" : "Failure");
            json.WriteString("reason", status.Reason);
            if (status.ExitCode is { } code)
            {
                json.WriteNumber("exitCode", code);
            }
            json.WriteString("message", status.Message);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A status message's JSON (after the channel byte); null when it is not one.</summary>
    public static ExecStatus? ParseStatus(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("reason", out var reason) || reason.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            int? exitCode = root.TryGetProperty("exitCode", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var c) ? c : null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
            return new ExecStatus(reason.GetString()!, exitCode, message);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A command as one line for people (the job's timeline): words with spaces or quotes are single-quoted.</summary>
    public static string Display(IReadOnlyList<string> command)
    {
        var line = new StringBuilder();
        foreach (var word in command)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(ShellWord.Readable(word));
        }
        return line.ToString();
    }
}

/// <summary>
/// How an exec session ended, the last message the server sends. <see cref="Reason"/>: <see cref="Exited"/> (then
/// <see cref="ExitCode"/> is the command's, when the engine knows it), <see cref="IdleTimeout"/>, <see cref="MaxSession"/>,
/// <see cref="ServerStopping"/>, <see cref="ClientClosed"/>, <see cref="Error"/>.
/// </summary>
public sealed record ExecStatus(string Reason, int? ExitCode, string Message)
{
    public const string Exited = "Exited";
    public const string IdleTimeout = "IdleTimeout";
    public const string MaxSession = "MaxSession";
    public const string ServerStopping = "ServerStopping";
    public const string ClientClosed = "ClientClosed";
    public const string Error = "Error";

    public bool Success => Reason == Exited && ExitCode == 0;
}
