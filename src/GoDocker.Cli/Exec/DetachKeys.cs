namespace GoDocker.Cli.Exec;

/// <summary>
/// The key sequence that detaches a client from an interactive job and leaves the job running, as docker's
/// --detach-keys: "ctrl-p,ctrl-q" by default; each key is ctrl-X (X a letter, @, [, \, ], ^ or _) or one printable
/// character. The CLI reads it from its own input before sending: the engine never sees it. A partial sequence is held
/// back until the next key tells whether it completes (then nothing of it is sent) or not (then it is sent as typed).
/// </summary>
internal sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    private readonly byte[] sequence;
    private int matched;

    private DetachKeys(byte[] sequence) => this.sequence = sequence;

    /// <summary>How the sequence is written, for messages ("ctrl-p,ctrl-q").</summary>
    public required string Text { get; init; }

    /// <exception cref="UsageException">when a key is not one this notation can name.</exception>
    public static DetachKeys Parse(string text)
    {
        var keys = new List<byte>();
        foreach (var key in text.Split(','))
        {
            if (key.Length == 1 && key[0] is >= ' ' and <= '~')
            {
                keys.Add((byte)key[0]);
            }
            else if (key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && key.Length == 6 && Control(char.ToLowerInvariant(key[5])) is { } control)
            {
                keys.Add(control);
            }
            else
            {
                throw new UsageException($"--detach-keys: '{key}' is not a key (ctrl-a … ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_, or one character), in '{text}'");
            }
        }
        return new DetachKeys([.. keys]) { Text = text };
    }

    /// <summary>
    /// Passes <paramref name="input"/> through: what to send now goes to <paramref name="send"/> (held-back keys of a
    /// sequence that did not complete first). True when the sequence completed: the client detaches, and nothing typed
    /// after it in the same read is sent.
    /// </summary>
    public bool Filter(ReadOnlySpan<byte> input, List<byte> send)
    {
        foreach (var b in input)
        {
            if (b == sequence[matched])
            {
                matched++;
                if (matched == sequence.Length)
                {
                    matched = 0;
                    return true;
                }
                continue;
            }
            if (matched > 0)
            {
                // Not the sequence after all: the keys held back were typed for the job.
                send.AddRange(sequence.AsSpan(0, matched));
                matched = 0;
                if (b == sequence[0])
                {
                    matched = 1;
                    continue;
                }
            }
            send.Add(b);
        }
        return false;
    }

    private static byte? Control(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };
}
