using System.Diagnostics;
using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace GoDocker.Bench;

/// <summary>
/// Where a server's scheduling cycle spends its time on a deep queue: reading the scheduling input from a copy of
/// its SQLite store (taken with SQLite's online backup, so the live server is not disturbed), then the cycle over it
/// with the server's defaults (fifo, spread, backfill) on one node that accepts nothing, as the bench's "queue"
/// server has.
/// </summary>
internal static class StoreBench
{
    public static async Task<int> RunAsync(Func<string, string, string> option)
    {
        var live = option("db", "");
        if (!File.Exists(live))
        {
            Console.Error.WriteLine($"store-read: --db={live} is not a file");
            return 2;
        }
        var runs = int.Parse(option("runs", "3"), CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("godocker-bench-store-");
        try
        {
            var copy = Path.Combine(folder.FullName, "godocker.db");
            await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = live, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()))
            {
                await source.OpenAsync();
                await target.OpenAsync();
                source.BackupDatabase(target);
            }
            await using var store = await SqliteJobStore.OpenAsync(copy, TimeProvider.System, CancellationToken.None);
            var cycle = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions, SchedulingCycle.StandardFilters, new SpreadScorer(), new CycleOptions());
            var node = new NodeInfo("local", Resources.None) { Schedulable = false, Unavailable = "unreachable (Connection failed.)" };
            var reads = new List<double>();
            var cycles = new List<double>();
            var pending = 0;
            for (var i = 0; i <= runs; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var input = await store.ReadSchedulingInputAsync(CancellationToken.None);
                var read = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var snapshot = new SchedulingSnapshot(input.Pending, [new NodeLoad(node, Resources.None)], DateTimeOffset.UtcNow)
                {
                    Running = input.Running,
                    DependencyStates = input.DependencyStates,
                };
                start = Stopwatch.GetTimestamp();
                _ = cycle.Run(snapshot);
                var run = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                pending = input.Pending.Count;
                // The first round warms up (JIT, page cache); not counted.
                if (i > 0)
                {
                    reads.Add(read);
                    cycles.Add(run);
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT store-read pending={pending} runs={runs} read_ms={Median(reads):0} cycle_ms={Median(cycles):0} db_mb={new FileInfo(copy).Length / (double)(1 << 20):0}"));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
