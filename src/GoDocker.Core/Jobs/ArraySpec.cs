using System.Globalization;

namespace GoDocker.Jobs;

/// <summary>
/// A job array as Slurm's --array: "1-100:2%10" (range with step, at most 10 tasks running at once),
/// "1,3,5-7", "0-15%4". Each task is a job of its own, with its index in GODOCKER_TASK_ID.
/// </summary>
public sealed record ArraySpec(IReadOnlyList<int> TaskIds, int? MaxRunning)
{
    /// <summary>An upper bound on tasks per array, so one submit cannot flood the store.</summary>
    public const int MaxTasks = 10_000;

    public int First => TaskIds[0];
    public int Last => TaskIds[^1];

    /// <summary>The step when the ids are one arithmetic range (1 otherwise, and for a single task).</summary>
    public int Step => TaskIds.Count > 1 && TaskIds.Zip(TaskIds.Skip(1), (a, b) => b - a).Distinct().Count() == 1 ? TaskIds[1] - TaskIds[0] : 1;

    public static bool TryParse(string text, out ArraySpec spec, out string? error)
    {
        spec = null!;
        error = null;
        int? maxRunning = null;
        var body = text.Trim();
        var percent = body.IndexOf('%');
        if (percent >= 0)
        {
            if (!int.TryParse(body[(percent + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
            {
                error = $"'{body[(percent + 1)..]}' after % is not a positive number of tasks";
                return false;
            }
            maxRunning = limit;
            body = body[..percent];
        }
        var ids = new SortedSet<int>();
        foreach (var part in body.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParseRange(part, ids, out error))
            {
                return false;
            }
            if (ids.Count > MaxTasks)
            {
                error = $"more than {MaxTasks} tasks";
                return false;
            }
        }
        if (ids.Count == 0)
        {
            error = "no task ids";
            return false;
        }
        spec = new ArraySpec([.. ids], maxRunning);
        return true;
    }

    private static bool TryParseRange(string part, SortedSet<int> ids, out string? error)
    {
        error = null;
        var step = 1;
        var range = part;
        var colon = part.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
            {
                error = $"'{part}': the step after ':' must be a positive number";
                return false;
            }
            range = part[..colon];
        }
        var dash = range.IndexOf('-');
        var (startText, endText) = dash >= 0 ? (range[..dash], range[(dash + 1)..]) : (range, range);
        if (!int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            error = $"'{part}' is not N, N-M or N-M:STEP with non-negative numbers";
            return false;
        }
        if (end < start)
        {
            error = $"'{part}': the range ends before it starts";
            return false;
        }
        if ((long)end - start > MaxTasks * (long)step)
        {
            error = $"'{part}': more than {MaxTasks} tasks";
            return false;
        }
        // A long counter: near int.MaxValue an int one would wrap and never end.
        for (long i = start; i <= end; i += step)
        {
            ids.Add((int)i);
        }
        return true;
    }
}
