using System.Globalization;

namespace GoDocker.Tes;

/// <summary>
/// What a TES task's runner (<see cref="RunnerScript"/>) reported in <c>$GODOCKER_JOB_DIR/tes/log</c>: each executor's
/// start and end, each output file copied, the failures of its own. Kept with the job once it ends (<c>jobs.task_log</c>)
/// and read live while it runs (docs/notes/tes-design.md §2.9).
/// The file is written by the job, so it is the task's own account and is read as untrusted text: bounded, and any
/// line that is not a well-formed record is skipped. It can only change the task's own executor logs and outputs, and
/// turn its own EXECUTOR_ERROR into a SYSTEM_ERROR; state, end cause and exit code stay the engine's.
/// </summary>
/// <param name="Steps">executors that started, by index; a step without an end is one the runner did not see end.</param>
/// <param name="Outputs">files copied out, in the order copied.</param>
/// <param name="SystemErrors">the runner's own failures (staging), at most <see cref="MaxSystemErrors"/> of at most
/// <see cref="MaxSystemErrorLength"/> characters.</param>
/// <param name="Truncated">the file was longer than <see cref="MaxChars"/>: records after that are not read.</param>
public sealed record TaskRunLog(
    IReadOnlyList<TaskRunStep> Steps,
    IReadOnlyList<TaskRunOutput> Outputs,
    IReadOnlyList<string> SystemErrors,
    bool Truncated = false)
{
    /// <summary>How much of the file is read (a directory output of many files writes a line for each).</summary>
    public const int MaxChars = 256 * 1024;

    public const int MaxSystemErrors = 100;

    public const int MaxSystemErrorLength = 1024;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static TaskRunLog Empty { get; } = new([], [], []);

    /// <summary>
    /// Reads the log's records. Only complete lines count: a last line without its newline may be a record cut short
    /// (the runner killed while writing, or the <see cref="MaxChars"/> bound), and "exec 0 end … 1" cut from "… 137"
    /// would tell a wrong exit code. Records: <c>exec K start TIME</c>, <c>exec K end TIME RC</c>,
    /// <c>output PATH URL SIZE</c>, <c>system_error MESSAGE</c>, fields separated by one tab; TIME is
    /// yyyy-MM-ddTHH:mm:ssZ or empty (no date in the image), a time that is neither is read as none. A later record
    /// for the same step replaces the earlier one's fields. Never throws.
    /// </summary>
    public static TaskRunLog Parse(ReadOnlySpan<char> text) => Parse(text, truncated: false);

    /// <summary>
    /// <see cref="Parse(ReadOnlySpan{char})"/> of the first <see cref="MaxChars"/> bytes of <paramref name="stream"/>,
    /// read as UTF-8 (a character cut at the bound is in the last, incomplete line, which does not count). Throws only
    /// what reading the stream throws.
    /// </summary>
    public static async Task<TaskRunLog> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[MaxChars + 1];
        var length = 0;
        while (length < buffer.Length
            && await stream.ReadAsync(buffer.AsMemory(length), cancellationToken) is var read and > 0)
        {
            length += read;
        }
        var truncated = length > MaxChars;
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(length, MaxChars));
        return Parse(text, truncated);
    }

    private static TaskRunLog Parse(ReadOnlySpan<char> text, bool truncated)
    {
        if (text.Length > MaxChars)
        {
            truncated = true;
            text = text[..MaxChars];
        }

        var steps = new SortedDictionary<int, TaskRunStep>();
        var outputs = new List<TaskRunOutput>();
        var errors = new List<string>();
        while (text.IndexOf('\n') is var end and >= 0)
        {
            var line = text[..end];
            text = text[(end + 1)..];
            Read(line, steps, outputs, errors);
        }
        return new TaskRunLog([.. steps.Values], outputs, errors, truncated);
    }

    private static void Read(ReadOnlySpan<char> line, SortedDictionary<int, TaskRunStep> steps, List<TaskRunOutput> outputs, List<string> errors)
    {
        Span<Range> fields = stackalloc Range[6];
        var count = line.Split(fields, '\t');
        var verb = line[fields[0]];
        if (verb.SequenceEqual("system_error") && count >= 2)
        {
            // The message is the rest of the line, tabs included.
            if (errors.Count < MaxSystemErrors)
            {
                var message = line[fields[1].Start..];
                errors.Add(Bounded(message));
            }
        }
        else if (verb.SequenceEqual("exec") && count is 4 or 5 && Index(line[fields[1]]) is { } index)
        {
            var what = line[fields[2]];
            var step = steps.GetValueOrDefault(index) ?? new TaskRunStep(index, null, null, null);
            if (what.SequenceEqual("start") && count == 4)
            {
                steps[index] = step with { Start = Time(line[fields[3]]) };
            }
            else if (what.SequenceEqual("end") && count == 5 && ExitCode(line[fields[4]]) is { } code)
            {
                steps[index] = step with { End = Time(line[fields[3]]), ExitCode = code };
            }
        }
        else if (verb.SequenceEqual("output") && count == 4 && line[fields[1]].Length > 0 && line[fields[2]].Length > 0
            && long.TryParse(line[fields[3]], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            outputs.Add(new TaskRunOutput(line[fields[2]].ToString(), line[fields[1]].ToString(), size));
        }
    }

    private static int? Index(ReadOnlySpan<char> field) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    /// <summary>An exit code as sh gives it (0 to 255); anything else is a garbled record.</summary>
    private static int? ExitCode(ReadOnlySpan<char> field) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code <= 255 ? code : null;

    private static DateTimeOffset? Time(ReadOnlySpan<char> field) =>
        DateTimeOffset.TryParseExact(field, TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    private static string Bounded(ReadOnlySpan<char> message)
    {
        if (message.Length <= MaxSystemErrorLength)
        {
            return message.ToString();
        }
        var cut = MaxSystemErrorLength;
        if (char.IsHighSurrogate(message[cut - 1]))
        {
            cut--;
        }
        return message[..cut].ToString();
    }
}

/// <summary>Executor <see cref="Index"/>'s run: its start, and its end and exit code once it ended.</summary>
public sealed record TaskRunStep(int Index, DateTimeOffset? Start, DateTimeOffset? End, int? ExitCode);

/// <summary>A file copied out: from <see cref="Path"/> in the container, to <see cref="Url"/>, <see cref="SizeBytes"/> long.</summary>
public sealed record TaskRunOutput(string Url, string Path, long SizeBytes);
