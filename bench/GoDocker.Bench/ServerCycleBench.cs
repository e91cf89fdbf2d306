using System.Diagnostics;
using System.Globalization;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;
using GoDocker.Storage.Postgres;
using GoDocker.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace GoDocker.Bench;

/// <summary>
/// One server scheduling cycle over a deep queue, on a real store (a SQLite file or a PostgreSQL database) preloaded with
/// <c>--pending</c> jobs through the store's own batched submit: the input read, the cycle, and the plan applied, as
/// <c>SchedulerService</c> does it. Measured, rounds alternating in the same minutes: the full read every cycle (the
/// scheduler before its pending index), the index with nothing changed since the last cycle, and the index after
/// <c>--delta</c> new submits. The cycle has the server's defaults (fifo, spread, backfill) and one node that accepts
/// nothing, like the bench's queue server (and <c>store-read</c>). The plan from the index must hash as the plan from
/// a full read of the same store.
/// </summary>
internal static class ServerCycleBench
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    public static async Task<int> RunAsync(Func<string, string, string> option)
    {
        var kind = option("store", "sqlite");
        var count = int.Parse(option("pending", "100000"), CultureInfo.InvariantCulture);
        var delta = int.Parse(option("delta", "100"), CultureInfo.InvariantCulture);
        var runs = int.Parse(option("runs", "5"), CultureInfo.InvariantCulture);
        var target = double.Parse(option("target-ms", count >= 1_000_000 ? "2000" : "300"), CultureInfo.InvariantCulture);
        var (store, close) = await OpenAsync(kind, count, option);
        try
        {
            var clock = Stopwatch.StartNew();
            var have = (await store.ListAsync(new JobQuery { States = [JobState.Pending], Limit = 1 }, CancellationToken.None)).Total;
            await PreloadAsync(store, count - (int)have, seed: 42);
            Console.Error.WriteLine($"[server-cycle] {kind}: {count} pending ({count - have} loaded in {clock.Elapsed.TotalSeconds:0} s)");

            var cycle = new SchedulingCycle(new FifoOrder(), SchedulingCycle.StandardAdmissions, SchedulingCycle.StandardFilters, new SpreadScorer(), new CycleOptions());
            IReadOnlyList<NodeInfo> nodes = [new NodeInfo("local", Resources.None) { Schedulable = false, Unavailable = "unreachable (Connection failed.)" }];
            // Settle: the first cycles write every job's reason; what is measured is the steady state after them.
            // The first is timed too (first_ms): what a new leader's first plan over a queue without reasons costs.
            var first = 0.0;
            for (var i = 0; i < 3; i++)
            {
                var settle = await TimeAsync(async () =>
                {
                    var input = await store.ReadSchedulingInputAsync(Window, CancellationToken.None);
                    await store.ApplyPlanAsync(cycle.Run(Snapshot(input, nodes, DateTimeOffset.UtcNow)), nodes, CancellationToken.None);
                });
                first = i == 0 ? settle : first;
            }

            var index = new PendingIndex();
            var rebuild = await TimeAsync(async () => index.Apply(await store.ReadSchedulingChangesAsync(null, Window, CancellationToken.None)));
            var rssAfterBuild = CycleBench.Status("VmRSS");

            // The same plan, from the index and from a full read of the same state (at one `now`): after a delta of submits.
            await PreloadAsync(store, delta, seed: 7);
            index.Apply(await store.ReadSchedulingChangesAsync(index.Mark, Window, CancellationToken.None));
            var at = DateTimeOffset.UtcNow;
            var fromIndex = CycleBench.Hash(cycle.Run(Snapshot(index.Input, nodes, at)));
            var fromFull = CycleBench.Hash(cycle.Run(Snapshot(await store.ReadSchedulingInputAsync(Window, CancellationToken.None), nodes, at)));

            var full = new Figures();
            var quiet = new Figures();
            var changed = new Figures();
            for (var round = 0; round < runs; round++)
            {
                // The full read's plan is mirrored in the index too, as the leader would: the index stays what the store holds.
                await full.MeasureAsync(async () => await store.ReadSchedulingInputAsync(Window, CancellationToken.None), store, cycle, nodes, index);
                await quiet.MeasureAsync(async () => await IndexReadAsync(store, index), store, cycle, nodes, index);
                await PreloadAsync(store, delta, seed: 100 + round);
                await changed.MeasureAsync(async () => await IndexReadAsync(store, index), store, cycle, nodes, index);
            }
            var peak = CycleBench.Status("VmHWM");
            var worst = Math.Max(quiet.Median(f => f.Total), changed.Median(f => f.Total));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT server-cycle store={kind} pending={index.PendingCount} runs={runs} delta={delta} "
                + $"full_ms={full.Median(f => f.Total):0} full_cpu_ms={full.Median(f => f.Cpu):0} full_read_ms={full.Median(f => f.Read):0} "
                + $"index_ms={quiet.Median(f => f.Total):0} index_cpu_ms={quiet.Median(f => f.Cpu):0} index_read_ms={quiet.Median(f => f.Read):0} "
                + $"delta_ms={changed.Median(f => f.Total):0} delta_cpu_ms={changed.Median(f => f.Cpu):0} delta_read_ms={changed.Median(f => f.Read):0} "
                + $"cycle_ms={changed.Median(f => f.Cycle):0} apply_ms={changed.Median(f => f.Apply):0} rebuild_ms={rebuild:0} first_ms={first:0} "
                + $"index_rss_mb={rssAfterBuild / (double)(1 << 20):0} peak_rss_mb={peak / (double)(1 << 20):0} "
                + $"plan={fromIndex} plan_full={fromFull} same_plan={(fromIndex == fromFull ? "yes" : "NO")} target_ms={target:0} met={(worst <= target && fromIndex == fromFull ? "yes" : "NO")}"));
            return 0;
        }
        finally
        {
            await close();
        }
    }

    private static async Task<SchedulingInput> IndexReadAsync(IJobStore store, PendingIndex index)
    {
        index.Apply(await store.ReadSchedulingChangesAsync(index.Mark, Window, CancellationToken.None));
        return index.Input;
    }

    private static SchedulingSnapshot Snapshot(SchedulingInput input, IReadOnlyList<NodeInfo> nodes, DateTimeOffset now) =>
        new(input.Pending, [.. nodes.Select(n => new NodeLoad(n, input.UsageByNode.GetValueOrDefault(n.Name)))], now)
        {
            Running = input.Running,
            DependencyStates = input.DependencyStates,
        };

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Jobs of 1,000 users in 50 projects, of assorted sizes, a few held: through the store's batched submit, 64 at a time.</summary>
    private static async Task PreloadAsync(IJobStore store, int count, int seed)
    {
        if (count <= 0)
        {
            return;
        }
        var random = new Random(seed);
        var specs = Enumerable.Range(0, count).Select(_ => (
            Spec: new ResolvedJobSpec
            {
                Name = "bench",
                Command = ["true"],
                Image = "godocker/busybox:latest",
                Cpus = 0.5 * (1 + random.Next(16)),
                MemoryBytes = (256L << 20) * (1 + random.Next(64)),
                Project = "p" + random.Next(50).ToString(CultureInfo.InvariantCulture),
                WalltimeSeconds = random.Next(4) == 0 ? null : 600 * (1 + random.Next(288)),
            },
            Owner: "u" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
            Held: random.Next(100) == 0 ? "user" : null)).ToList();
        await Parallel.ForEachAsync(specs, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (job, cancellationToken) => await store.SubmitAsync(job.Spec, job.Owner, job.Held, cancellationToken));
    }

    /// <summary>
    /// The store: a SQLite file (<c>--db</c>, else one in /tmp per size), or a PostgreSQL database per size on <c>--pg</c>
    /// (<c>--database</c> to name it; <c>--drop=1</c> drops it at the end). Both are kept and topped up by the next run otherwise.
    /// </summary>
    private static async Task<(IJobStore Store, Func<Task> Close)> OpenAsync(string kind, int count, Func<string, string, string> option)
    {
        var time = TimeProvider.System;
        if (kind == "sqlite")
        {
            var path = option("db", Path.Combine(Path.GetTempPath(), $"godocker-bench-pending-{count}.db"));
            var sqlite = await SqliteJobStore.OpenAsync(path, time, CancellationToken.None);
            return (sqlite, async () =>
            {
                await sqlite.DisposeAsync();
                SqliteConnection.ClearAllPools();
            });
        }
        if (kind != "postgres")
        {
            throw new ArgumentException($"--store={kind}: sqlite or postgres");
        }
        var server = option("pg", Environment.GetEnvironmentVariable("GODOCKER_TEST_POSTGRES") ?? "");
        if (server.Length == 0)
        {
            throw new ArgumentException("--store=postgres needs --pg=CONNECTION_STRING (scripts/postgres.sh start prints one)");
        }
        var name = option("database", $"godocker_bench_pending_{count}");
        await using (var admin = NpgsqlDataSource.Create(server))
        {
            await using var exists = admin.CreateCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'");
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
                await create.ExecuteNonQueryAsync();
            }
        }
        // Npgsql's default command timeout (30 s), as the server has it; --command-timeout to give statements longer.
        var timeout = int.Parse(option("command-timeout", "30"), CultureInfo.InvariantCulture);
        var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100, CommandTimeout = timeout }.ConnectionString);
        var postgres = await PostgresJobStore.OpenAsync(source, time, CancellationToken.None);
        return (postgres, async () =>
        {
            await postgres.DisposeAsync();
            await source.DisposeAsync();
            if (option("drop", "0") == "1")
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = NpgsqlDataSource.Create(server);
                await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                // After a million-row plan, autovacuum works in the database: a superuser's backend, which FORCE may not
                // end for the bench's role (42501). It is waited out; a database still busy after a minute is left.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await drop.ExecuteNonQueryAsync();
                        break;
                    }
                    catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
                    {
                        if (attempt == 30)
                        {
                            Console.Error.WriteLine($"[server-cycle] database {name} not dropped (still in use: {e.MessageText}); drop it later");
                            break;
                        }
                        await Task.Delay(TimeSpan.FromSeconds(2));
                    }
                }
            }
        });
    }

    /// <summary>Measured server cycles: read (and index), cycle, plan applied; wall and process cpu time of each.</summary>
    private sealed class Figures
    {
        private readonly List<(double Total, double Cpu, double Read, double Cycle, double Apply)> runs = [];

        public async Task MeasureAsync(Func<Task<SchedulingInput>> read, IJobStore store, SchedulingCycle cycle, IReadOnlyList<NodeInfo> nodes, PendingIndex index)
        {
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            var input = await read();
            var readMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var cycleStart = Stopwatch.GetTimestamp();
            var plan = cycle.Run(Snapshot(input, nodes, DateTimeOffset.UtcNow));
            var cycleMs = Stopwatch.GetElapsedTime(cycleStart).TotalMilliseconds;
            var applyStart = Stopwatch.GetTimestamp();
            await store.ApplyPlanAsync(plan, nodes, CancellationToken.None);
            index.Applied(plan);
            var applyMs = Stopwatch.GetElapsedTime(applyStart).TotalMilliseconds;
            var total = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            runs.Add((total, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds, readMs, cycleMs, applyMs));
        }

        public double Median(Func<(double Total, double Cpu, double Read, double Cycle, double Apply), double> field)
        {
            var sorted = runs.Select(field).Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
        }
    }
}
