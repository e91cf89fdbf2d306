using System.Globalization;
using System.Text;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Output;

/// <summary>`godocker array ID`: how many tasks are in each state, then the tasks.</summary>
internal static class ArrayReport
{
    public static string Render(ArrayView array, TimeZoneInfo? zone = null) =>
        new StringBuilder()
            .Append(Summary(array)).Append("\n\n")
            .Append(JobTable.Build(array.Items, zone).Render())
            .ToString();

    /// <summary>"array 12 (sweep, alice): 10 tasks: 2 Running, 8 Succeeded", states in life-cycle order.</summary>
    public static string Summary(ArrayView array)
    {
        var counts = array.ByState
            .Where(s => s.Value > 0)
            .OrderBy(s => Enum.TryParse<JobState>(s.Key, out var state) ? (int)state : int.MaxValue)
            .ThenBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => $"{s.Value.ToString(CultureInfo.InvariantCulture)} {s.Key}");
        var tasks = array.Tasks == 1 ? "1 task" : $"{array.Tasks.ToString(CultureInfo.InvariantCulture)} tasks";
        return $"array {array.ArrayId.ToString(CultureInfo.InvariantCulture)} ({array.Name}, {array.Owner}): {tasks}: {string.Join(", ", counts)}";
    }
}
