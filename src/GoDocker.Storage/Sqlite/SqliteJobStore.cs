using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>
/// The embedded job store: one SQLite file in WAL mode. Writes go through one connection, one at a time,
/// each in a transaction; reads use their own pooled connections and never wait for writes.
/// </summary>
public sealed class SqliteJobStore : IJobStore, IAsyncDisposable
{
    private const string JobColumns =
        "id, owner, state, reason, node, attempt, version, spec, submitted_at, scheduled_at, started_at, ended_at, exit_code, container_id, stop_request, "
        + "held_by, priority_adjustment, array_id, expected_start, end_cause, task_log";

    private const int MaxSubmitBatch = 512;

    private readonly string connectionString;
    private readonly TimeProvider time;
    private readonly SqliteConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly Channel<SubmitRequest> submissions = Channel.CreateUnbounded<SubmitRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task submissionWriter;
    // SQLite's SQLITE_FULL: the database or its journal could not grow.
    private const int SqliteFull = 13;
    private volatile string? writeFault;

    private SqliteJobStore(string connectionString, SqliteConnection writer, TimeProvider time)
    {
        this.connectionString = connectionString;
        this.writer = writer;
        this.time = time;
        submissionWriter = Task.Run(WriteSubmissionsAsync);
    }

    /// <summary>Opens (creating and migrating as needed) the store in <paramref name="path"/>.</summary>
    public static async Task<SqliteJobStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var writer = new SqliteConnection(connectionString);
        await writer.OpenAsync(cancellationToken);
        await SqliteSchema.MigrateAsync(writer, cancellationToken);
        await using (var busy = writer.CreateCommand())
        {
            busy.CommandText = "PRAGMA busy_timeout=30000;";
            await busy.ExecuteNonQueryAsync(cancellationToken);
        }
        return new SqliteJobStore(connectionString, writer, time);
    }

    /// <summary>A value kept across restarts (e.g. this instance's id, which labels its containers).</summary>
    public async Task<string> GetOrCreateMetaAsync(string key, Func<string> create, CancellationToken cancellationToken)
    {
        return await WriteAsync(async tx =>
        {
            await using var read = Command(tx, "SELECT value FROM meta WHERE key = $key", ("$key", key));
            if (await read.ExecuteScalarAsync(cancellationToken) is string existing)
            {
                return existing;
            }
            var value = create();
            await using var insert = Command(tx, "INSERT INTO meta (key, value) VALUES ($key, $value)", ("$key", key), ("$value", value));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return value;
        }, cancellationToken);
    }

    /// <summary>Past usage counts half after this long (fair share's half-life), for the per-account decayed totals.</summary>
    public TimeSpan UsageHalfLife { get; set; } = TimeSpan.FromDays(7);

    public ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, CancellationToken cancellationToken) =>
        SubmitAsync(spec, owner, heldBy: null, cancellationToken);

    public async ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, string? heldBy, CancellationToken cancellationToken)
    {
        var request = SubmitRequest.Of(spec, owner, heldBy, time.GetUtcNow());
        await submissions.Writer.WriteAsync(request, cancellationToken);
        var id = (await request.Done.Task.WaitAsync(cancellationToken)).Id;
        return request.Stored(id, arrayId: null);
    }

    /// <summary>
    /// Stores every task of an array in one transaction; the array's id is its first task's. Returns the tasks in order.
    /// </summary>
    public async ValueTask<IReadOnlyList<Job>> SubmitArrayAsync(IReadOnlyList<ResolvedJobSpec> tasks, string owner, string? heldBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var requests = tasks.Select(t => SubmitRequest.Of(t, owner, heldBy, now)).ToList();
        var ids = await WriteAsync(async tx => await InsertArrayAsync(tx, requests, cancellationToken), cancellationToken);
        return [.. requests.Select((r, i) => r.Stored(ids[i], ids[0]))];
    }

    private static async Task<long[]> InsertArrayAsync(SqliteTransaction tx, List<SubmitRequest> requests, CancellationToken cancellationToken)
    {
        var inserted = (await InsertSubmissionsAsync(tx, requests)).Select(s => s.Id).ToArray();
        await using var array = Command(tx, "UPDATE jobs SET array_id = $first WHERE id BETWEEN $first AND $last",
            ("$first", inserted[0]), ("$last", inserted[^1]));
        await array.ExecuteNonQueryAsync(cancellationToken);
        return inserted;
    }

    public async ValueTask<KeyedSubmission> SubmitAsync(
        IReadOnlyList<ResolvedJobSpec> tasks, bool array, string owner, string? heldBy, IdempotencyKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!array)
        {
            // One job goes through the group commit like any other; the key is checked and stored in the batch's transaction.
            var spec = tasks.Single();
            var request = SubmitRequest.Of(spec, owner, heldBy, now, key);
            await submissions.Writer.WriteAsync(request, cancellationToken);
            var (id, outcome) = await request.Done.Task.WaitAsync(cancellationToken);
            return new KeyedSubmission(outcome, id) { Stored = outcome == KeyedOutcome.Stored ? [request.Stored(id, arrayId: null)] : [] };
        }
        // The tasks of an array carry no key each: the array's key is checked and stored once, with them.
        var requests = tasks.Select(t => SubmitRequest.Of(t, owner, heldBy, now)).ToList();
        return await WriteAsync(async tx =>
        {
            await PurgeExpiredKeysAsync(tx, now);
            if (await FindKeyAsync(tx, owner, key) is { } earlier)
            {
                return earlier;
            }
            var ids = await InsertArrayAsync(tx, requests, cancellationToken);
            await InsertKeyAsync(tx, owner, key, ids[0], now);
            return new KeyedSubmission(KeyedOutcome.Stored, ids[0]) { Stored = [.. requests.Select((r, i) => r.Stored(ids[i], ids[0]))] };
        }, cancellationToken);
    }

    public async ValueTask<KeyedSubmission?> FindKeyAsync(string owner, IdempotencyKey key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT fingerprint, job_id FROM idempotency_keys WHERE owner = $owner AND key = $key AND created_at >= $since",
            ("$owner", owner), ("$key", key.Key), ("$since", (time.GetUtcNow() - IdempotencyKey.Lifetime).ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Earlier(key, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    private static async Task<KeyedSubmission?> FindKeyAsync(SqliteTransaction tx, string owner, IdempotencyKey key)
    {
        await using var command = Command(tx, "SELECT fingerprint, job_id FROM idempotency_keys WHERE owner = $owner AND key = $key",
            ("$owner", owner), ("$key", key.Key));
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Earlier(key, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    private static KeyedSubmission Earlier(IdempotencyKey key, string fingerprint, long jobId) =>
        new(string.Equals(fingerprint, key.Fingerprint, StringComparison.Ordinal) ? KeyedOutcome.Replayed : KeyedOutcome.KeyReused, jobId);

    private static async Task InsertKeyAsync(SqliteTransaction tx, string owner, IdempotencyKey key, long jobId, DateTimeOffset at)
    {
        await using var insert = Command(tx,
            "INSERT INTO idempotency_keys (owner, key, fingerprint, job_id, created_at) VALUES ($owner, $key, $fingerprint, $job, $at)",
            ("$owner", owner), ("$key", key.Key), ("$fingerprint", key.Fingerprint), ("$job", jobId), ("$at", at.ToUnixTimeMilliseconds()));
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>Forgets keys older than <see cref="IdempotencyKey.Lifetime"/> (before a key is looked up, in the same transaction).</summary>
    private static async Task PurgeExpiredKeysAsync(SqliteTransaction tx, DateTimeOffset now)
    {
        await using var purge = Command(tx, "DELETE FROM idempotency_keys WHERE created_at < $since",
            ("$since", (now - IdempotencyKey.Lifetime).ToUnixTimeMilliseconds()));
        await purge.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Group commit: submissions that arrive while a transaction is being written go into the next one
    /// together, with prepared statements reused across the batch. Each caller returns only once its
    /// job is committed.
    /// </summary>
    private async Task WriteSubmissionsAsync()
    {
        var batch = new List<SubmitRequest>(MaxSubmitBatch);
        while (await submissions.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxSubmitBatch && submissions.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                var ids = await WriteAsync(tx => InsertSubmissionsAsync(tx, batch), CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(ids[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var request in batch)
                {
                    request.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>Inserts each job of the batch; one under an idempotency key already used is not inserted (its earlier job is returned).</summary>
    private static async Task<Submitted[]> InsertSubmissionsAsync(SqliteTransaction tx, List<SubmitRequest> batch)
    {
        await using var insert = Command(tx,
            """
            INSERT INTO jobs (owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at,
                gpus, walltime_seconds, held_by, constraints, dependencies, array_max, change_id)
            VALUES ($owner, $project, $name, $state, $reason, $cpus, $memory, $spec, $at,
                $gpus, $walltime, $held, $constraints, $dependencies, $arrayMax, (SELECT COALESCE(MAX(change_id), 0) + 1 FROM jobs))
            RETURNING id
            """,
            ("$owner", ""), ("$project", ""), ("$name", ""), ("$state", ""), ("$reason", ""), ("$cpus", 0.0), ("$memory", 0L), ("$spec", ""), ("$at", 0L),
            ("$gpus", 0), ("$walltime", null), ("$held", null), ("$constraints", null), ("$dependencies", null), ("$arrayMax", null));
        await using var tag = Command(tx, "INSERT OR IGNORE INTO job_tags (tag, job_id) VALUES ($tag, $id)", ("$tag", ""), ("$id", 0L));
        await using var submitted = Command(tx, "INSERT INTO job_events (job_id, at, kind, message) VALUES ($id, $at, $kind, $message)",
            ("$id", 0L), ("$at", 0L), ("$kind", ""), ("$message", ""));
        var ids = new Submitted[batch.Count];
        if (batch.Any(r => r.Key is not null))
        {
            await PurgeExpiredKeysAsync(tx, batch[0].New.Job.SubmittedAt);
        }
        for (var i = 0; i < batch.Count; i++)
        {
            var (job, json) = (batch[i].New.Job, batch[i].SpecJson);
            var (spec, owner, at) = (job.Spec, job.Owner, job.SubmittedAt.ToUnixTimeMilliseconds());
            // Looked up in this transaction: a same-key submit earlier in this very batch is seen too.
            if (batch[i].Key is { } key && await FindKeyAsync(tx, owner, key) is { } earlier)
            {
                ids[i] = new Submitted(earlier.FirstJobId, earlier.Outcome);
                continue;
            }
            // One statement reused for the batch: reset what the previous job may have set.
            insert.Parameters["$owner"].Value = owner;
            insert.Parameters["$project"].Value = spec.Project;
            insert.Parameters["$name"].Value = spec.Name;
            insert.Parameters["$cpus"].Value = spec.Cpus;
            insert.Parameters["$memory"].Value = spec.MemoryBytes;
            insert.Parameters["$spec"].Value = json;
            insert.Parameters["$at"].Value = at;
            insert.Parameters["$gpus"].Value = spec.Gpus;
            insert.Parameters["$walltime"].Value = (object?)spec.WalltimeSeconds ?? DBNull.Value;
            insert.Parameters["$held"].Value = (object?)job.HeldBy ?? DBNull.Value;
            insert.Parameters["$state"].Value = job.State.ToString();
            insert.Parameters["$reason"].Value = (object?)job.Reason ?? DBNull.Value;
            insert.Parameters["$constraints"].Value = (object?)StoredConditions.Constraints(spec) ?? DBNull.Value;
            insert.Parameters["$dependencies"].Value = (object?)StoredConditions.Dependencies(spec) ?? DBNull.Value;
            insert.Parameters["$arrayMax"].Value = (object?)spec.Task?.MaxRunning ?? DBNull.Value;
            var id = (long)(await insert.ExecuteScalarAsync())!;
            ids[i] = new Submitted(id, KeyedOutcome.Stored);
            foreach (var t in spec.Tags)
            {
                tag.Parameters["$tag"].Value = t;
                tag.Parameters["$id"].Value = id;
                await tag.ExecuteNonQueryAsync();
            }
            submitted.Parameters["$id"].Value = id;
            submitted.Parameters["$at"].Value = batch[i].New.Event.At.ToUnixTimeMilliseconds();
            submitted.Parameters["$kind"].Value = batch[i].New.Event.Kind;
            submitted.Parameters["$message"].Value = batch[i].New.Event.Message;
            await submitted.ExecuteNonQueryAsync();
            if (batch[i].Key is { } newKey)
            {
                await InsertKeyAsync(tx, owner, newKey, id, job.SubmittedAt);
            }
        }
        return ids;
    }

    /// <summary>A job to insert as the life cycle made it (<see cref="JobLifecycle.Submit"/>), with its spec serialized once.</summary>
    private sealed record SubmitRequest(NewJob New, string SpecJson, IdempotencyKey? Key)
    {
        public TaskCompletionSource<Submitted> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static SubmitRequest Of(ResolvedJobSpec spec, string owner, string? heldBy, DateTimeOffset now, IdempotencyKey? key = null) =>
            new(JobLifecycle.Submit(spec, owner, heldBy, now), JsonSerializer.Serialize(spec, GoDockerJson.Default.ResolvedJobSpec), key);

        /// <summary>The job as stored, with the ids the insert gave it.</summary>
        public Job Stored(long id, long? arrayId) => New.Job with { Id = id, ArrayId = arrayId };
    }

    private readonly record struct Submitted(long Id, KeyedOutcome Outcome);

    public async ValueTask<Job?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {JobColumns} FROM jobs WHERE id = $id", ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    public async ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var where = new StringBuilder(" WHERE 1=1");
        var parameters = new List<(string, object?)>();
        if (query.States is { Count: > 0 } states)
        {
            where.Append(" AND state IN (");
            for (var i = 0; i < states.Count; i++)
            {
                where.Append(i == 0 ? "" : ", ").Append("$s").Append(i);
                parameters.Add(($"$s{i}", states[i].ToString()));
            }
            where.Append(')');
        }
        if (query.Owner is not null)
        {
            where.Append(" AND owner = $owner");
            parameters.Add(("$owner", query.Owner));
        }
        if (query.Project is not null)
        {
            where.Append(" AND project = $project");
            parameters.Add(("$project", query.Project));
        }
        if (query.VisibleTo is { } visible)
        {
            where.Append(" AND (owner = $visibleOwner");
            parameters.Add(("$visibleOwner", visible.Login));
            for (var i = 0; i < visible.Projects.Count; i++)
            {
                where.Append(" OR project = $vp").Append(i);
                parameters.Add(($"$vp{i}", visible.Projects[i]));
            }
            where.Append(')');
        }
        if (query.ArrayId is { } arrayId)
        {
            where.Append(" AND array_id = $array");
            parameters.Add(("$array", arrayId));
        }
        if (query.Tag is not null)
        {
            where.Append(" AND id IN (SELECT job_id FROM job_tags WHERE tag = $tag)");
            parameters.Add(("$tag", query.Tag));
        }
        if (query.Interactive is { } interactive)
        {
            // From the spec's JSON: rare enough a filter (an interactive submit's quota) not to be a column.
            where.Append(interactive ? " AND json_extract(spec, '$.interactive') = 1" : " AND coalesce(json_extract(spec, '$.interactive'), 0) = 0");
        }
        if (query.NameContains is not null)
        {
            // SQLite's LIKE ignores the case of ASCII letters only; PostgreSQL's statement folds the same letters.
            where.Append(" AND name LIKE $name ").Append(LikePattern.EscapeClause);
            parameters.Add(("$name", LikePattern.Containing(query.NameContains)));
        }
        if (query.NamePrefix is not null)
        {
            // Not LIKE: it folds ASCII case. substr counts characters, as .NET's StartsWith on the same text does.
            where.Append(" AND substr(name, 1, length($prefix)) = $prefix");
            parameters.Add(("$prefix", query.NamePrefix));
        }
        if (query.IdBelow is { } below)
        {
            where.Append(" AND id < $below");
            parameters.Add(("$below", below));
        }
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: true);
        await using var count = Command(connection, "SELECT COUNT(*) FROM jobs" + where, [.. parameters]);
        count.Transaction = tx;
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        if (query.Limit == 0)
        {
            return new JobPage([], total);
        }
        parameters.Add(("$limit", query.Limit));
        parameters.Add(("$offset", query.Offset));
        await using var list = Command(connection, $"SELECT {JobColumns} FROM jobs{where} ORDER BY {JobListOrder.OrderBy(query.Sort, "")} LIMIT $limit OFFSET $offset", [.. parameters]);
        list.Transaction = tx;
        var items = new List<Job>();
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadJob(reader));
            }
        }
        return new JobPage(items, total);
    }

    public async ValueTask<AccountingPage> ListAccountingAsync(AccountingQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await SqliteAccounting.ListAsync(connection, query, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<JobEvent>> GetEventsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, "SELECT at, kind, message FROM job_events WHERE job_id = $id ORDER BY seq", ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<JobEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new JobEvent(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2)));
        }
        return events;
    }

    public async ValueTask<IReadOnlyList<Job>> ListActiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT {JobColumns} FROM jobs WHERE state IN ('Scheduled', 'Running', 'Suspended') ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<Job>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader));
        }
        return jobs;
    }

    public async ValueTask<SchedulingInput> ReadSchedulingInputAsync(CancellationToken cancellationToken) =>
        await ReadSchedulingInputAsync(TimeSpan.FromDays(30), cancellationToken);

    /// <summary>Everything a cycle needs, in one read transaction (one consistent snapshot): the full change read, indexed.</summary>
    /// <param name="cpuHoursWindow">How far back finished jobs count toward cpu-hour quotas.</param>
    public async ValueTask<SchedulingInput> ReadSchedulingInputAsync(TimeSpan cpuHoursWindow, CancellationToken cancellationToken) =>
        PendingIndex.InputOf(await ReadSchedulingChangesAsync(null, cpuHoursWindow, cancellationToken));

    /// <inheritdoc/>
    /// <remarks>
    /// The mark is the highest change number in the snapshot: every insert and update of a job row takes the next one
    /// (the insert itself and a trigger, SqliteSchema), and SQLite commits one writer at a time, so a change committed
    /// later has a higher number.
    /// </remarks>
    public async ValueTask<SchedulingChanges> ReadSchedulingChangesAsync(ChangeMark? since, TimeSpan cpuHoursWindow, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: true);
        long mark;
        await using (var command = Command(connection, "SELECT COALESCE(MAX(change_id), 0) FROM jobs"))
        {
            command.Transaction = tx;
            mark = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        List<ChangedJob> jobs;
        HashSet<long> referenced;
        await using (var command = Command(connection,
            $"SELECT {SchedulingRows.JobColumns} FROM jobs "
            + (since is null ? "WHERE state IN ('Pending', 'Scheduled', 'Running', 'Suspended') ORDER BY id" : "WHERE change_id > $since ORDER BY change_id"),
            ("$since", since?.Through ?? 0)))
        {
            command.Transaction = tx;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            (jobs, referenced) = await SchedulingRows.ReadJobsAsync(reader, ReadTime, cancellationToken);
        }
        var named = new List<ChangedJob>();
        foreach (var chunk in referenced.Chunk(500))
        {
            var ids = string.Join(',', chunk);
            await using var command = Command(connection, $"SELECT {SchedulingRows.NamedColumns} FROM jobs WHERE id IN ({ids}) OR array_id IN ({ids})");
            command.Transaction = tx;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await SchedulingRows.ReadNamedAsync(reader, named, cancellationToken);
        }
        var accounts = await ReadAccountInputsAsync(connection, tx, cpuHoursWindow, cancellationToken);
        return accounts with { Full = since is null, Mark = new ChangeMark(mark, []), Jobs = jobs, Referenced = named };
    }

    private static DateTimeOffset ReadTime(DbDataReader reader, int column) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(column));

    /// <summary>The account-level inputs of a cycle (limits, decayed usage, project priorities, cpu-seconds in the quota window).</summary>
    private async Task<SchedulingChanges> ReadAccountInputsAsync(SqliteConnection connection, SqliteTransaction tx, TimeSpan cpuHoursWindow, CancellationToken cancellationToken)
    {
        var limits = await ReadLimitsAsync(connection, tx, null, null, cancellationToken);
        var since = (time.GetUtcNow() - cpuHoursWindow).ToUnixTimeMilliseconds();
        return new SchedulingChanges(false, ChangeMark.Start, [], [])
        {
            Limits = limits,
            DecayedUsage = await QueryAsync(SchedulingRows.DecayedUsageQuery, reader => SchedulingRows.ReadDecayedUsageAsync(reader, ReadTime, cancellationToken)),
            ProjectPriorities = await QueryAsync(SchedulingRows.ProjectPrioritiesQuery, reader => SchedulingRows.ReadByNameAsync<int>(reader, cancellationToken)),
            UserWindowCpuSeconds = await QueryAsync("SELECT owner, SUM(cpu_seconds) FROM usage_records WHERE ended_at >= $since GROUP BY owner",
                reader => SchedulingRows.ReadByNameAsync<double>(reader, cancellationToken)),
            ProjectWindowCpuSeconds = await QueryAsync("SELECT project, SUM(cpu_seconds) FROM usage_records WHERE ended_at >= $since GROUP BY project",
                reader => SchedulingRows.ReadByNameAsync<double>(reader, cancellationToken)),
        };

        async Task<T> QueryAsync<T>(string sql, Func<DbDataReader, Task<T>> read)
        {
            await using var command = Command(connection, sql, ("$since", since));
            command.Transaction = tx;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await read(reader);
        }
    }

    /// <remarks>
    /// A SQLite store has one server (its data directory is locked), whose lease no other server can take: there is no
    /// old leader to fence, and the plan is applied as without a lease.
    /// </remarks>
    public ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, Leadership fence, CancellationToken cancellationToken) =>
        ApplyPlanAsync(plan, nodes, cancellationToken);

    public async ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, CancellationToken cancellationToken)
    {
        if (plan.Placements.Count == 0 && plan.PendingReasons.Count == 0 && plan.Rejections.Count == 0 && plan.ExpectedStarts.Count == 0)
        {
            return [];
        }
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var applied = new List<AppliedPlacement>();
            var usage = await ReadUsageAsync(writer, tx, cancellationToken);
            var byName = nodes.ToDictionary(n => n.Name);
            foreach (var placement in plan.Placements)
            {
                // Re-check against what is committed now, by the cycle's own rule: the node may have filled since the snapshot.
                var used = usage.GetValueOrDefault(placement.Node);
                if (!byName.TryGetValue(placement.Node, out var node) || !new NodeLoad(node, used).Takes(placement.Resources))
                {
                    continue;
                }
                await using var update = Command(tx,
                    """
                    UPDATE jobs SET state = 'Scheduled', node = $node, attempt = attempt + 1, version = version + 1,
                        scheduled_at = $at, reason = NULL, expected_start = NULL
                    WHERE id = $id AND version = $version AND state = 'Pending'
                    RETURNING attempt
                    """,
                    ("$node", placement.Node), ("$at", now.ToUnixTimeMilliseconds()), ("$id", placement.JobId), ("$version", placement.Version));
                if (await update.ExecuteScalarAsync(cancellationToken) is not long attempt)
                {
                    continue;
                }
                usage[placement.Node] = used + placement.Resources;
                await InsertEventAsync(tx, placement.JobId, JobLifecycle.Scheduled(placement.Node, (int)attempt, now), cancellationToken);
                applied.Add(new AppliedPlacement(placement.JobId, (int)attempt, placement.Node));
            }
            foreach (var (id, reason) in plan.PendingReasons)
            {
                await using var update = Command(tx, "UPDATE jobs SET reason = $reason, expected_start = $start WHERE id = $id AND state = 'Pending'",
                    ("$reason", reason), ("$start", plan.ExpectedStarts.TryGetValue(id, out var start) ? start.ToUnixTimeMilliseconds() : null), ("$id", id));
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var (id, start) in plan.ExpectedStarts)
            {
                if (!plan.PendingReasons.ContainsKey(id))
                {
                    await using var update = Command(tx, "UPDATE jobs SET expected_start = $start WHERE id = $id AND state = 'Pending'",
                        ("$start", start.ToUnixTimeMilliseconds()), ("$id", id));
                    await update.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            foreach (var (id, reason) in plan.Rejections)
            {
                // Re-read: only a job still pending is rejected; one a user killed meanwhile stays as it is.
                if (await ReadJobAsync(tx, id, cancellationToken) is { State: JobState.Pending } job)
                {
                    await PersistAsync(tx, job, JobLifecycle.Apply(job, new JobChange(id, job.Version, JobState.Rejected, "rejected", reason)
                    {
                        Reason = reason,
                        EndedAt = now,
                    }, now), cancellationToken);
                }
            }
            return applied;
        }, cancellationToken);
    }

    public async ValueTask<Job> TransitionAsync(JobChange change, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobAsync(tx, change.JobId, cancellationToken)
                ?? throw new KeyNotFoundException($"job {change.JobId} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.Apply(job, change, now), cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask<Job> RequestStopAsync(long id, StopRequest request, CancellationToken cancellationToken)
    {
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.RequestStop(job, request), cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask AppendEventAsync(long id, JobEvent jobEvent, CancellationToken cancellationToken)
    {
        await WriteAsync(async tx =>
        {
            await InsertEventAsync(tx, id, jobEvent, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        submissions.Writer.TryComplete();
        await submissionWriter;
        await writeLock.WaitAsync();
        try
        {
            await writer.DisposeAsync();
            // Pooled reader connections would keep the file open after the store is gone.
            SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        }
        finally
        {
            writeLock.Release();
            writeLock.Dispose();
        }
    }

    /// <summary>
    /// Writes what the life cycle decided: the job's fields, guarded by the version read in this transaction, its event,
    /// its usage charge, its accounting record and its notice. An unchanged job is not written.
    /// </summary>
    private async Task<Job> PersistAsync(SqliteTransaction tx, Job read, JobUpdate update, CancellationToken cancellationToken)
    {
        if (!update.Changed)
        {
            return update.Job;
        }
        var job = update.Job;
        await using var write = Command(tx,
            """
            UPDATE jobs SET state = $state, reason = $reason, node = $node, attempt = $attempt, container_id = $container, exit_code = $exit,
                started_at = $started, ended_at = $ended, scheduled_at = $scheduled, stop_request = $stop, version = $newVersion,
                expected_start = $expected, end_cause = $cause, held_by = $held, priority_adjustment = $priority, task_log = $taskLog
            WHERE id = $id AND version = $version
            """,
            ("$state", job.State.ToString()), ("$reason", job.Reason), ("$node", job.Node), ("$attempt", job.Attempt), ("$container", job.ContainerId),
            ("$exit", job.ExitCode), ("$started", job.StartedAt?.ToUnixTimeMilliseconds()),
            ("$ended", job.EndedAt?.ToUnixTimeMilliseconds()), ("$scheduled", job.ScheduledAt?.ToUnixTimeMilliseconds()),
            ("$stop", job.StopRequested is null ? null : JsonSerializer.Serialize(job.StopRequested, GoDockerJson.Default.StopRequest)),
            ("$newVersion", job.Version), ("$expected", job.ExpectedStart?.ToUnixTimeMilliseconds()), ("$cause", job.EndCause?.ToString()),
            ("$held", job.HeldBy), ("$priority", job.PriorityAdjustment), ("$id", read.Id), ("$version", read.Version),
            ("$taskLog", job.TaskLog is null ? null : JsonSerializer.Serialize(job.TaskLog, GoDockerJson.Default.TaskRunLog)));
        if (await write.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new JobVersionConflictException(read.Id, read.Version);
        }
        await InsertEventAsync(tx, read.Id, update.Event, cancellationToken);
        if (update.Charge is { } charge)
        {
            await RecordUsageAsync(tx, charge, UsageHalfLife, cancellationToken);
        }
        if (update.Record is { } record)
        {
            await SqliteAccounting.InsertAsync(tx, record, cancellationToken);
        }
        if (update.Notice is { } notice)
        {
            await SqliteNotificationStore.InsertAsync(tx, notice, update.Event.At, cancellationToken);
        }
        return job;
    }

    /// <summary>
    /// Records a charge: one usage record per attempt (for the quota window), and the decayed totals fair share reads,
    /// each read, added to by the charge and written back.
    /// </summary>
    private static async Task RecordUsageAsync(SqliteTransaction tx, UsageCharge charge, TimeSpan halfLife, CancellationToken cancellationToken)
    {
        var consumed = charge.Consumption;
        await using (var record = Command(tx,
            """
            INSERT OR IGNORE INTO usage_records (job_id, attempt, owner, project, ended_at, cpu_seconds, memory_gib_seconds, gpu_seconds)
            VALUES ($id, $attempt, $owner, $project, $ended, $cpu, $memory, $gpu)
            """,
            ("$id", charge.JobId), ("$attempt", charge.Attempt), ("$owner", charge.Owner), ("$project", charge.Project), ("$ended", charge.EndedAt.ToUnixTimeMilliseconds()),
            ("$cpu", consumed.CpuSeconds), ("$memory", consumed.MemoryGibSeconds), ("$gpu", consumed.GpuSeconds)))
        {
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return; // this attempt was charged already
            }
        }
        foreach (var (kind, name) in charge.Accounts)
        {
            DecayedUsage? current;
            await using (var read = Command(tx, "SELECT cpu_seconds, memory_gib_seconds, gpu_seconds, as_of FROM usage_decayed WHERE kind = $kind AND name = $name",
                ("$kind", kind.Name()), ("$name", name)))
            {
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                current = await reader.ReadAsync(cancellationToken)
                    ? new DecayedUsage(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)))
                    : null;
            }
            var next = charge.AddTo(current, halfLife);
            await using var write = Command(tx,
                """
                INSERT INTO usage_decayed (kind, name, cpu_seconds, memory_gib_seconds, gpu_seconds, as_of) VALUES ($kind, $name, $cpu, $memory, $gpu, $at)
                ON CONFLICT (kind, name) DO UPDATE SET cpu_seconds = excluded.cpu_seconds, memory_gib_seconds = excluded.memory_gib_seconds,
                    gpu_seconds = excluded.gpu_seconds, as_of = excluded.as_of
                """,
                ("$kind", kind.Name()), ("$name", name), ("$cpu", next.CpuSeconds), ("$memory", next.MemoryGibSeconds), ("$gpu", next.GpuSeconds),
                ("$at", next.AsOf.ToUnixTimeMilliseconds()));
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Holds a pending job (<paramref name="heldBy"/> "user" or "admin") or releases it (null).</summary>
    /// <exception cref="KeyNotFoundException">when there is no such job.</exception>
    /// <exception cref="InvalidOperationException">when the job is not pending.</exception>
    public async ValueTask<Job> SetHoldAsync(long id, string? heldBy, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.SetHold(job, heldBy, actor, now), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Sets an administrator's priority adjustment on a job that has not ended.</summary>
    /// <exception cref="KeyNotFoundException">when there is no such job.</exception>
    /// <exception cref="InvalidOperationException">when the job has ended.</exception>
    public async ValueTask<Job> SetPriorityAdjustmentAsync(long id, int adjustment, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.SetPriorityAdjustment(job, adjustment, actor, now), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Cpu-seconds charged to a user or project by jobs that ended since <paramref name="since"/>.</summary>
    public async ValueTask<double> CpuSecondsSinceAsync(AccountKind kind, string name, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT COALESCE(SUM(cpu_seconds), 0) FROM usage_records WHERE {(kind == AccountKind.User ? "owner" : "project")} = $name AND ended_at >= $since",
            ("$name", name), ("$since", since.ToUnixTimeMilliseconds()));
        return Convert.ToDouble(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async ValueTask<IReadOnlyList<JobCount>> CountJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, "SELECT state, project, COUNT(*) FROM jobs GROUP BY state, project");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new List<JobCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new JobCount(Enum.Parse<JobState>(reader.GetString(0)), reader.GetString(1), reader.GetInt64(2)));
        }
        return counts;
    }

    public async ValueTask<IReadOnlyList<Job>> ListPurgeableAsync(PurgeQuery query, CancellationToken cancellationToken)
    {
        var states = query.EndedStates;
        if (states.Count == 0 || query.Limit <= 0)
        {
            return [];
        }
        var parameters = new List<(string, object?)> { ("$before", query.EndedBefore.ToUnixTimeMilliseconds()), ("$limit", query.Limit) };
        var inStates = string.Join(", ", states.Select((state, i) =>
        {
            parameters.Add(($"$s{i}", state.ToString()));
            return $"$s{i}";
        }));
        var sql = $"SELECT {JobColumns} FROM jobs WHERE state IN ({inStates}) AND ended_at IS NOT NULL AND ended_at < $before";
        if (query.Owner is not null)
        {
            sql += " AND owner = $owner";
            parameters.Add(("$owner", query.Owner));
        }
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = Command(connection, sql + " ORDER BY id LIMIT $limit", [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<Job>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader));
        }
        return jobs;
    }

    public async ValueTask<IReadOnlyList<long>> DeleteEndedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var ended = string.Join(", ", Enum.GetValues<JobState>().Where(s => s.IsTerminal()).Select(s => $"'{s}'"));
        return await WriteAsync<IReadOnlyList<long>>(async tx =>
        {
            var deleted = new List<long>();
            foreach (var id in ids.Distinct())
            {
                await using var job = Command(tx, $"DELETE FROM jobs WHERE id = $id AND state IN ({ended})", ("$id", id));
                if (await job.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue;
                }
                await using var rest = Command(tx,
                    """
                    DELETE FROM job_events WHERE job_id = $id;
                    DELETE FROM job_tags WHERE job_id = $id;
                    DELETE FROM usage_points WHERE job_id = $id;
                    DELETE FROM idempotency_keys WHERE job_id = $id;
                    """, ("$id", id));
                await rest.ExecuteNonQueryAsync(cancellationToken);
                deleted.Add(id);
            }
            return deleted;
        }, cancellationToken);
    }

    /// <summary>Shares, priority and quotas an administrator set; filtered by kind and name when given.</summary>
    public async ValueTask<IReadOnlyList<AccountLimits>> GetLimitsAsync(AccountKind? kind, string? name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: true);
        return await ReadLimitsAsync(connection, tx, kind, name, cancellationToken);
    }

    /// <summary>Replaces what is set for one account; an entry with nothing set is removed.</summary>
    public async ValueTask SetLimitsAsync(AccountLimits limits, CancellationToken cancellationToken)
    {
        await WriteAsync(async tx =>
        {
            var q = limits.Quota;
            var empty = limits.Shares is null && limits.Priority is null && q.IsUnlimited;
            await using var write = Command(tx, empty
                ? "DELETE FROM account_limits WHERE kind = $kind AND name = $name"
                : """
                  INSERT OR REPLACE INTO account_limits (kind, name, shares, priority, max_running_jobs, max_cpus, max_memory_bytes, max_gpus, max_cpu_hours, max_pending_jobs)
                  VALUES ($kind, $name, $shares, $priority, $jobs, $cpus, $memory, $gpus, $hours, $pending)
                  """,
                ("$kind", limits.Kind.Name()), ("$name", limits.Name), ("$shares", limits.Shares), ("$priority", limits.Priority),
                ("$jobs", q.MaxRunningJobs), ("$cpus", q.MaxCpus), ("$memory", q.MaxMemoryBytes), ("$gpus", q.MaxGpus),
                ("$hours", q.MaxCpuHours), ("$pending", q.MaxPendingJobs));
            await write.ExecuteNonQueryAsync(cancellationToken);
            return 0;
        }, cancellationToken);
    }

    private static async Task<IReadOnlyList<AccountLimits>> ReadLimitsAsync(
        SqliteConnection connection, SqliteTransaction tx, AccountKind? kind, string? name, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            """
            SELECT kind, name, shares, priority, max_running_jobs, max_cpus, max_memory_bytes, max_gpus, max_cpu_hours, max_pending_jobs
            FROM account_limits WHERE ($kind IS NULL OR kind = $kind) AND ($name IS NULL OR name = $name) ORDER BY kind, name
            """,
            ("$kind", kind?.Name()), ("$name", name));
        command.Transaction = tx;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var limits = new List<AccountLimits>();
        while (await reader.ReadAsync(cancellationToken))
        {
            int? Int(int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);
            double? Real(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
            if (AccountKinds.Parse(reader.GetString(0)) is not { } parsed)
            {
                continue;
            }
            limits.Add(new AccountLimits(parsed, reader.GetString(1), Real(2), Int(3), new Quota
            {
                MaxRunningJobs = Int(4),
                MaxCpus = Real(5),
                MaxMemoryBytes = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                MaxGpus = Int(7),
                MaxCpuHours = Real(8),
                MaxPendingJobs = Int(9),
            }));
        }
        return limits;
    }

    private static async Task<Job?> ReadJobAsync(SqliteTransaction tx, long id, CancellationToken cancellationToken)
    {
        await using var command = Command(tx, $"SELECT {JobColumns} FROM jobs WHERE id = $id", ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    /// <summary>
    /// What the jobs holding resources hold per node, as <see cref="NodeUsage"/> sums them (the same states, those of
    /// <see cref="JobStateExtensions.HoldsResources"/>), summed by SQLite inside the write transaction rather than
    /// reading every held row into it.
    /// </summary>
    private static async Task<Dictionary<string, Resources>> ReadUsageAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            "SELECT node, SUM(cpus), SUM(memory_bytes), SUM(gpus) FROM jobs WHERE state IN ('Scheduled', 'Running', 'Suspended') AND node IS NOT NULL GROUP BY node");
        command.Transaction = tx;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var usage = new Dictionary<string, Resources>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            usage[reader.GetString(0)] = new Resources(reader.GetDouble(1), reader.GetInt64(2), reader.GetInt32(3));
        }
        return usage;
    }

    private static async Task InsertEventAsync(SqliteTransaction tx, long id, JobEvent jobEvent, CancellationToken cancellationToken)
    {
        await using var command = Command(tx, "INSERT INTO job_events (job_id, at, kind, message) VALUES ($id, $at, $kind, $message)",
            ("$id", id), ("$at", jobEvent.At.ToUnixTimeMilliseconds()), ("$kind", jobEvent.Kind), ("$message", jobEvent.Message));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Job ReadJob(DbDataReader reader)
    {
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new Job
        {
            Id = reader.GetInt64(0),
            Owner = reader.GetString(1),
            State = Enum.Parse<JobState>(reader.GetString(2)),
            Reason = Text(3),
            Node = Text(4),
            Attempt = reader.GetInt32(5),
            Version = reader.GetInt64(6),
            Spec = JsonSerializer.Deserialize(reader.GetString(7), GoDockerJson.Default.ResolvedJobSpec)!,
            SubmittedAt = Time(8)!.Value,
            ScheduledAt = Time(9),
            StartedAt = Time(10),
            EndedAt = Time(11),
            ExitCode = reader.IsDBNull(12) ? null : reader.GetInt32(12),
            ContainerId = Text(13),
            StopRequested = Text(14) is { } stop ? JsonSerializer.Deserialize(stop, GoDockerJson.Default.StopRequest) : null,
            HeldBy = Text(15),
            PriorityAdjustment = reader.GetInt32(16),
            ArrayId = reader.IsDBNull(17) ? null : reader.GetInt64(17),
            ExpectedStart = Time(18),
            EndCause = Text(19) is { } cause && Enum.TryParse<GoDocker.Execution.EndCause>(cause, out var known) ? known : null,
            TaskLog = Text(20) is { } taskLog ? JsonSerializer.Deserialize(taskLog, GoDockerJson.Default.TaskRunLog) : null,
        };
    }

    public string? WriteFault => writeFault;

    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var tx = writer.BeginTransaction();
            var result = await work(tx);
            await tx.CommitAsync(CancellationToken.None);
            writeFault = null;
            return result;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull)
        {
            writeFault = $"disk full: the store cannot write ({e.Message.TrimEnd('.')})";
            throw new StoreFullException(writeFault, e);
        }
        finally
        {
            writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
