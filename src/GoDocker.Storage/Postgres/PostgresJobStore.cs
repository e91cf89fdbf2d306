using IsolationLevel = System.Data.IsolationLevel;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;
using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>
/// The job store on PostgreSQL, shared by every server on the database; the same behaviour as <c>SqliteJobStore</c>
/// (which it follows member by member), made safe for several writers at once:
/// <list type="bullet">
/// <item>a change to a job reads its row <c>FOR UPDATE</c>, asks <see cref="JobLifecycle"/>, and writes under the version it
/// read: a concurrent change waits for the row, then sees the new version (a lost update is impossible, and the version
/// guard fails only when the caller's own <see cref="JobChange.ExpectedVersion"/> is stale);</item>
/// <item>a plan is applied under a transaction-scoped advisory lock, so plans (the only writes that add to a node's load)
/// never interleave, and each re-checks capacity against what is committed; with a lease it is fenced in the same transaction;</item>
/// <item>submits are group-committed: those that arrive while a batch is written go into the next one, inserted by one
/// statement per table; ids are taken from the sequence first, so array tasks carry their array id from the insert on.</item>
/// </list>
/// </summary>
public sealed class PostgresJobStore : IJobStore, IAsyncDisposable
{
    private const string JobColumns =
        "id, owner, state, reason, node, attempt, version, spec, submitted_at, scheduled_at, started_at, ended_at, exit_code, container_id, stop_request, "
        + "held_by, priority_adjustment, array_id, expected_start, end_cause, task_log";

    private const int MaxSubmitBatch = 512;

    /// <summary>How many times a write rolled back by a deadlock or a serialization failure is tried in all.</summary>
    private const int MaxWriteAttempts = 3;

    /// <summary>The advisory lock key plans are applied under ("GoDocPln" in ASCII), taken by no other code.</summary>
    private const long PlanLock = 0x476F446F63506C6E;

    private readonly NpgsqlDataSource database;
    private readonly TimeProvider time;
    private readonly Channel<SubmitRequest> submissions = Channel.CreateUnbounded<SubmitRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task submissionWriter;
    private volatile string? writeFault;

    private PostgresJobStore(NpgsqlDataSource database, TimeProvider time)
    {
        this.database = database;
        this.time = time;
        submissionWriter = Task.Run(WriteSubmissionsAsync);
    }

    /// <summary>The store on <paramref name="database"/> (owned by the caller), migrating the schema as needed.</summary>
    public static async Task<PostgresJobStore> OpenAsync(NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        await PostgresSchema.MigrateAsync(database, cancellationToken);
        return new PostgresJobStore(database, time);
    }

    /// <summary>Past usage counts half after this long (fair share's half-life), for the per-account decayed totals.</summary>
    public TimeSpan UsageHalfLife { get; set; } = TimeSpan.FromDays(7);

    public string? WriteFault => writeFault;

    /// <summary>
    /// A value kept across restarts and shared by every server on the database (e.g. the instance id, which labels the
    /// containers of this GoDocker): the first server to ask creates it, the others read that one.
    /// </summary>
    public async Task<string> GetOrCreateMetaAsync(string key, Func<string> create, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var read = Command(connection, "SELECT value FROM meta WHERE key = $1", key))
        {
            if (await read.ExecuteScalarAsync(cancellationToken) is string existing)
            {
                return existing;
            }
        }
        // Two servers starting at once may both create one: the first insert wins, and both return what it stored.
        await using var insert = Command(connection,
            """
            INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET key = meta.key
            RETURNING value
            """,
            key, create());
        return (string)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    public ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, CancellationToken cancellationToken) =>
        SubmitAsync(spec, owner, heldBy: null, cancellationToken);

    public async ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, string? heldBy, CancellationToken cancellationToken)
    {
        var request = SubmitRequest.Of(spec, owner, heldBy, time.GetUtcNow());
        await submissions.Writer.WriteAsync(request, cancellationToken);
        var id = (await request.Done.Task.WaitAsync(cancellationToken)).Id;
        return request.Stored(id, arrayId: null);
    }

    /// <summary>Stores every task of an array in one transaction; the array's id is its first task's. Returns the tasks in order.</summary>
    public async ValueTask<IReadOnlyList<Job>> SubmitArrayAsync(IReadOnlyList<ResolvedJobSpec> tasks, string owner, string? heldBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var requests = tasks.Select(t => SubmitRequest.Of(t, owner, heldBy, now)).ToList();
        var ids = await WriteAsync(async tx =>
        {
            var ids = await TakeIdsAsync(tx, requests.Count, cancellationToken);
            await InsertJobsAsync(tx, requests, ids, arrayId: ids[0], cancellationToken);
            return ids;
        }, cancellationToken);
        return [.. requests.Select((r, i) => r.Stored(ids[i], ids[0]))];
    }

    public async ValueTask<KeyedSubmission> SubmitAsync(
        IReadOnlyList<ResolvedJobSpec> tasks, bool array, string owner, string? heldBy, IdempotencyKey key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!array)
        {
            // One job goes through the group commit like any other; the key is claimed in the batch's transaction.
            var request = SubmitRequest.Of(tasks.Single(), owner, heldBy, now, key);
            await submissions.Writer.WriteAsync(request, cancellationToken);
            var (id, outcome) = await request.Done.Task.WaitAsync(cancellationToken);
            return new KeyedSubmission(outcome, id) { Stored = outcome == KeyedOutcome.Stored ? [request.Stored(id, arrayId: null)] : [] };
        }
        // The tasks of an array carry no key each: the array's key is claimed once, for its first task, with them.
        var requests = tasks.Select(t => SubmitRequest.Of(t, owner, heldBy, now)).ToList();
        return await WriteAsync(async tx =>
        {
            await PurgeExpiredKeysAsync(tx, now, cancellationToken);
            var ids = await TakeIdsAsync(tx, requests.Count, cancellationToken);
            if (await ClaimKeyAsync(tx, owner, key, ids[0], now, cancellationToken) is { } earlier)
            {
                return earlier;
            }
            await InsertJobsAsync(tx, requests, ids, arrayId: ids[0], cancellationToken);
            return new KeyedSubmission(KeyedOutcome.Stored, ids[0]) { Stored = [.. requests.Select((r, i) => r.Stored(ids[i], ids[0]))] };
        }, cancellationToken);
    }

    public async ValueTask<KeyedSubmission?> FindKeyAsync(string owner, IdempotencyKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT fingerprint, job_id FROM idempotency_keys WHERE owner = $1 AND key = $2 AND created_at >= $3",
            owner, key.Key, time.GetUtcNow() - IdempotencyKey.Lifetime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Earlier(key, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    private static KeyedSubmission Earlier(IdempotencyKey key, string fingerprint, long jobId) =>
        new(string.Equals(fingerprint, key.Fingerprint, StringComparison.Ordinal) ? KeyedOutcome.Replayed : KeyedOutcome.KeyReused, jobId);

    /// <summary>
    /// Stores the key for <paramref name="jobId"/>, or, when the owner used it before, stores nothing and returns what that
    /// earlier submit makes of this one. The insert comes first: a same key being stored by another server's transaction
    /// makes this one wait for it, then find its row, so two servers never both store a job under one key.
    /// </summary>
    private static async Task<KeyedSubmission?> ClaimKeyAsync(
        NpgsqlTransaction tx, string owner, IdempotencyKey key, long jobId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using (var insert = Command(tx,
            """
            INSERT INTO idempotency_keys (owner, key, fingerprint, job_id, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (owner, key) DO NOTHING
            """,
            owner, key.Key, key.Fingerprint, jobId, at))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }
        await using var read = Command(tx, "SELECT fingerprint, job_id FROM idempotency_keys WHERE owner = $1 AND key = $2", owner, key.Key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Earlier(key, reader.GetString(0), reader.GetInt64(1));
    }

    /// <summary>Forgets keys older than <see cref="IdempotencyKey.Lifetime"/> (before a key is claimed, in the same transaction).</summary>
    private static async Task PurgeExpiredKeysAsync(NpgsqlTransaction tx, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var purge = Command(tx, "DELETE FROM idempotency_keys WHERE created_at < $1", now - IdempotencyKey.Lifetime);
        await purge.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Group commit: submissions that arrive while a transaction is being written go into the next one together.
    /// Each caller returns only once its job is committed. Every server has its own writer; ids come from one sequence.
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
                var submitted = batch.Any(r => r.Key is not null)
                    ? await WriteAsync(tx => InsertSubmissionsAsync(tx, batch, CancellationToken.None), CancellationToken.None)
                    : await WriteAsync((connection, _) => InsertUnkeyedAsync(connection, batch, CancellationToken.None), transaction: false, CancellationToken.None);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(submitted[i]);
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
    private static async Task<Submitted[]> InsertSubmissionsAsync(NpgsqlTransaction tx, List<SubmitRequest> batch, CancellationToken cancellationToken)
    {
        var ids = await TakeIdsAsync(tx, batch.Count, cancellationToken);
        var submitted = new Submitted[batch.Count];
        if (batch.Any(r => r.Key is not null))
        {
            await PurgeExpiredKeysAsync(tx, batch[0].New.Job.SubmittedAt, cancellationToken);
        }
        var stored = new List<SubmitRequest>(batch.Count);
        var storedIds = new List<long>(batch.Count);
        // Keys are claimed in one order (owner, key; then as submitted) by every server, so two batches holding the
        // same keys never wait on each other crosswise. A same-key submit earlier in this very batch claims first.
        var keyed = Enumerable.Range(0, batch.Count).Where(i => batch[i].Key is not null)
            .OrderBy(i => batch[i].New.Job.Owner, StringComparer.Ordinal).ThenBy(i => batch[i].Key!.Key, StringComparer.Ordinal).ThenBy(i => i);
        var earlier = new KeyedSubmission?[batch.Count];
        foreach (var i in keyed)
        {
            earlier[i] = await ClaimKeyAsync(tx, batch[i].New.Job.Owner, batch[i].Key!, ids[i], batch[i].New.Job.SubmittedAt, cancellationToken);
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (earlier[i] is { } found)
            {
                submitted[i] = new Submitted(found.FirstJobId, found.Outcome);
                continue;
            }
            submitted[i] = new Submitted(ids[i], KeyedOutcome.Stored);
            stored.Add(batch[i]);
            storedIds.Add(ids[i]);
        }
        await InsertJobsAsync(tx, stored, storedIds, arrayId: null, cancellationToken);
        return submitted;
    }

    /// <summary>
    /// The common batch, submits without a key: the jobs, their "submitted" events and their tags inserted by one statement
    /// (atomic by itself, so one round trip to the database for the whole batch), each job's id taken from the sequence
    /// in the order of the batch.
    /// </summary>
    private static async Task<Submitted[]> InsertUnkeyedAsync(NpgsqlConnection connection, List<SubmitRequest> batch, CancellationToken cancellationToken)
    {
        var jobs = batch.Select(r => r.New.Job).ToList();
        var tagged = jobs.SelectMany((j, i) => j.Spec.Tags.Distinct(StringComparer.Ordinal).Select(t => (Tag: t, N: i + 1L))).ToList();
        await using var insert = Command(connection,
            """
            WITH input AS MATERIALIZED (
                SELECT nextval(pg_get_serial_sequence('jobs', 'id')) AS id, u.*
                FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bigint[], $8::text[],
                        $9::timestamptz[], $10::integer[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::integer[],
                        $16::timestamptz[], $17::text[], $18::text[]) WITH ORDINALITY
                      AS u(owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at, gpus, walltime_seconds, held_by,
                          constraints, dependencies, array_max, event_at, event_kind, event_message, n)
                      ORDER BY n) u
            ), jobs_in AS (
                INSERT INTO jobs (id, owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at,
                    gpus, walltime_seconds, held_by, constraints, dependencies, array_max)
                SELECT id, owner, project, name, state, reason, cpus, memory_bytes, spec::jsonb, submitted_at,
                    gpus, walltime_seconds, held_by, constraints, dependencies, array_max
                FROM input
            ), events_in AS (
                INSERT INTO job_events (job_id, at, kind, message) SELECT id, event_at, event_kind, event_message FROM input ORDER BY n
            ), tags_in AS (
                INSERT INTO job_tags (tag, job_id) SELECT t.tag, input.id FROM unnest($19::text[], $20::bigint[]) AS t(tag, n) JOIN input ON input.n = t.n
                ON CONFLICT DO NOTHING
            )
            SELECT id FROM input ORDER BY n
            """,
            [.. JobColumnValues(batch),
            batch.Select(r => Stored(r.New.Event.At)).ToArray(),
            batch.Select(r => r.New.Event.Kind).ToArray(),
            batch.Select(r => r.New.Event.Message).ToArray(),
            tagged.Select(t => t.Tag).ToArray(),
            tagged.Select(t => t.N).ToArray()]);
        await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
        var submitted = new Submitted[batch.Count];
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            submitted[i] = new Submitted(reader.GetInt64(0), KeyedOutcome.Stored);
        }
        return submitted;
    }

    /// <summary>
    /// The jobs table's columns for a batch, one array each, in the order both inserts unnest them: owner, project, name,
    /// state, reason, cpus, memory_bytes, spec, submitted_at, gpus, walltime_seconds, held_by, constraints,
    /// dependencies, array_max.
    /// </summary>
    private static object?[] JobColumnValues(IReadOnlyList<SubmitRequest> requests)
    {
        var jobs = requests.Select(r => r.New.Job).ToList();
        return
        [
            jobs.Select(j => j.Owner).ToArray(),
            jobs.Select(j => j.Spec.Project).ToArray(),
            jobs.Select(j => j.Spec.Name).ToArray(),
            jobs.Select(j => j.State.ToString()).ToArray(),
            jobs.Select(j => j.Reason).ToArray(),
            jobs.Select(j => j.Spec.Cpus).ToArray(),
            jobs.Select(j => j.Spec.MemoryBytes).ToArray(),
            requests.Select(r => r.SpecJson).ToArray(),
            jobs.Select(j => Stored(j.SubmittedAt)).ToArray(),
            jobs.Select(j => j.Spec.Gpus).ToArray(),
            jobs.Select(j => j.Spec.WalltimeSeconds).ToArray(),
            jobs.Select(j => j.HeldBy).ToArray(),
            jobs.Select(j => StoredConditions.Constraints(j.Spec)).ToArray(),
            jobs.Select(j => StoredConditions.Dependencies(j.Spec)).ToArray(),
            jobs.Select(j => j.Spec.Task?.MaxRunning).ToArray(),
        ];
    }

    /// <summary>
    /// Ids for <paramref name="count"/> new jobs from the jobs' sequence, ascending: known before the insert, so an
    /// array's tasks are inserted with their array id (the first task's) and a key with its job's.
    /// </summary>
    private static async Task<long[]> TakeIdsAsync(NpgsqlTransaction tx, int count, CancellationToken cancellationToken)
    {
        await using var command = Command(tx, "SELECT nextval(pg_get_serial_sequence('jobs', 'id')) FROM generate_series(1, $1)", count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new long[count];
        for (var i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        Array.Sort(ids);
        return ids;
    }

    /// <summary>The jobs as the life cycle made them, their tags and "submitted" events: one statement per table for the whole batch.</summary>
    private static async Task InsertJobsAsync(
        NpgsqlTransaction tx, IReadOnlyList<SubmitRequest> requests, IReadOnlyList<long> ids, long? arrayId, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return;
        }
        var jobs = requests.Select(r => r.New.Job).ToList();
        await using (var insert = Command(tx,
            """
            INSERT INTO jobs (id, owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at,
                gpus, walltime_seconds, held_by, constraints, dependencies, array_max, array_id)
            SELECT u.id, u.owner, u.project, u.name, u.state, u.reason, u.cpus, u.memory_bytes, u.spec::jsonb, u.submitted_at,
                u.gpus, u.walltime_seconds, u.held_by, u.constraints, u.dependencies, u.array_max, $17::bigint
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bigint[], $9::text[],
                $10::timestamptz[], $11::integer[], $12::bigint[], $13::text[], $14::text[], $15::text[], $16::integer[])
                AS u(id, owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at,
                    gpus, walltime_seconds, held_by, constraints, dependencies, array_max)
            """,
            [ids.ToArray(), .. JobColumnValues(requests), arrayId]))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var tagged = jobs.SelectMany((j, i) => j.Spec.Tags.Distinct(StringComparer.Ordinal).Select(t => (Tag: t, Id: ids[i]))).ToList();
        if (tagged.Count > 0)
        {
            await using var tags = Command(tx,
                "INSERT INTO job_tags (tag, job_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING",
                tagged.Select(t => t.Tag).ToArray(), tagged.Select(t => t.Id).ToArray());
            await tags.ExecuteNonQueryAsync(cancellationToken);
        }
        await InsertEventsAsync(tx, ids, [.. requests.Select(r => r.New.Event)], cancellationToken);
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
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {JobColumns} FROM jobs WHERE id = $1", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    public async ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var where = new StringBuilder(" WHERE true");
        var values = new List<object?>();
        string Value(object value)
        {
            values.Add(value);
            return "$" + values.Count;
        }
        if (query.States is { Count: > 0 } states)
        {
            where.Append(" AND state = ANY(").Append(Value(states.Select(s => s.ToString()).ToArray())).Append(')');
        }
        if (query.Owner is not null)
        {
            where.Append(" AND owner = ").Append(Value(query.Owner));
        }
        if (query.Project is not null)
        {
            where.Append(" AND project = ").Append(Value(query.Project));
        }
        if (query.VisibleTo is { } visible)
        {
            where.Append(" AND (owner = ").Append(Value(visible.Login))
                .Append(" OR project = ANY(").Append(Value(visible.Projects.ToArray())).Append("))");
        }
        if (query.ArrayId is { } arrayId)
        {
            where.Append(" AND array_id = ").Append(Value(arrayId));
        }
        if (query.Tag is not null)
        {
            where.Append(" AND id IN (SELECT job_id FROM job_tags WHERE tag = ").Append(Value(query.Tag)).Append(')');
        }
        if (query.Interactive is { } interactive)
        {
            // From the spec's JSON: rare enough a filter (an interactive submit's quota) not to be a column.
            where.Append(interactive ? " AND spec @> '{\"interactive\": true}'" : " AND NOT spec @> '{\"interactive\": true}'");
        }
        if (query.NameContains is not null)
        {
            // Folds ASCII letters only (lower() under the "C" collation), as SQLite's LIKE does: both stores match alike.
            where.Append(" AND lower(name COLLATE \"C\") LIKE lower(").Append(Value(LikePattern.Containing(query.NameContains)))
                .Append(" COLLATE \"C\") ").Append(LikePattern.EscapeClause);
        }
        if (query.NamePrefix is not null)
        {
            // Not LIKE (% and _ would need escaping); exact, case counts, as SQLite's substr comparison.
            where.Append(" AND starts_with(name, ").Append(Value(query.NamePrefix)).Append(')');
        }
        if (query.IdBelow is { } below)
        {
            where.Append(" AND id < ").Append(Value(below));
        }
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (query.Limit == 0)
        {
            // The count alone (the pending count at submit): one statement, no page to read beside it.
            await using var countOnly = Command(connection, "SELECT COUNT(*) FROM jobs" + where, [.. values]);
            return new JobPage([], (long)(await countOnly.ExecuteScalarAsync(cancellationToken))!);
        }
        // The count and the page from one snapshot, as SQLite's read transaction gives them.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var count = Command(tx, "SELECT COUNT(*) FROM jobs" + where, [.. values]);
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        var limit = Value(query.Limit);
        var offset = Value(query.Offset);
        await using var list = Command(tx, $"SELECT {JobColumns} FROM jobs{where} ORDER BY {JobListOrder.OrderBy(query.Sort, "COLLATE \"C\"")} LIMIT {limit} OFFSET {offset}", [.. values]);
        var items = new List<Job>();
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadJob(reader));
            }
        }
        await tx.CommitAsync(cancellationToken);
        return new JobPage(items, total);
    }

    public async ValueTask<AccountingPage> ListAccountingAsync(AccountingQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await PostgresAccounting.ListAsync(connection, query, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<JobEvent>> GetEventsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, "SELECT at, kind, message FROM job_events WHERE job_id = $1 ORDER BY seq", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<JobEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new JobEvent(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2)));
        }
        return events;
    }

    public async ValueTask<IReadOnlyList<Job>> ListActiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {JobColumns} FROM jobs WHERE state IN ('Scheduled', 'Running', 'Suspended') ORDER BY id");
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

    /// <summary>
    /// Everything a cycle needs, in one REPEATABLE READ transaction (one consistent snapshot, whatever other servers write
    /// meanwhile): the full change read, indexed.
    /// </summary>
    /// <param name="cpuHoursWindow">How far back finished jobs count toward cpu-hour quotas.</param>
    public async ValueTask<SchedulingInput> ReadSchedulingInputAsync(TimeSpan cpuHoursWindow, CancellationToken cancellationToken) =>
        PendingIndex.InputOf(await ReadSchedulingChangesAsync(null, cpuHoursWindow, cancellationToken));

    /// <inheritdoc/>
    /// <remarks>
    /// Each job row carries the id of the transaction that last changed it (<c>change_id</c>, set by a trigger, schema
    /// migration 4). Transactions commit in another order than their ids, so the mark is not the highest id seen: it is the
    /// snapshot's xmax (the first id not yet given) and xip (the ids still running). A transaction below xmax and not in
    /// xip had ended before this read, so its changes were in this snapshot (or never committed); the next read takes
    /// the rows of transactions from xmax on and of those in xip: exactly the changes this snapshot could not see.
    /// </remarks>
    public async ValueTask<SchedulingChanges> ReadSchedulingChangesAsync(ChangeMark? since, TimeSpan cpuHoursWindow, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        ChangeMark mark;
        // The first statement takes the transaction's snapshot: the mark and every row below come from the same one.
        await using (var command = Command(tx,
            """
            SELECT pg_snapshot_xmax(s)::text::bigint, ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x)
            FROM (SELECT pg_current_snapshot() AS s) AS snapshot
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            mark = new ChangeMark(reader.GetInt64(0), reader.GetFieldValue<long[]>(1));
        }
        List<ChangedJob> jobs;
        HashSet<long> referenced;
        await using (var command = since is null
            ? Command(tx, $"SELECT {SchedulingRows.JobColumns} FROM jobs WHERE state IN ('Pending', 'Scheduled', 'Running', 'Suspended') ORDER BY id")
            : Command(tx,
                $"""
                SELECT {SchedulingRows.JobColumns} FROM jobs
                WHERE change_id >= $1::text::xid8 OR change_id = ANY($2::text[]::xid8[]) ORDER BY id
                """,
                since.Through.ToString(System.Globalization.CultureInfo.InvariantCulture),
                since.Unfinished.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            (jobs, referenced) = await SchedulingRows.ReadJobsAsync(reader, ReadTime, cancellationToken);
        }
        var named = new List<ChangedJob>();
        if (referenced.Count > 0)
        {
            await using var command = Command(tx, $"SELECT {SchedulingRows.NamedColumns} FROM jobs WHERE id = ANY($1) OR array_id = ANY($1)", referenced.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await SchedulingRows.ReadNamedAsync(reader, named, cancellationToken);
        }
        var accounts = await ReadAccountInputsAsync(tx, cpuHoursWindow, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return accounts with { Full = since is null, Mark = mark, Jobs = jobs, Referenced = named };
    }

    private static DateTimeOffset ReadTime(DbDataReader reader, int column) => reader.GetFieldValue<DateTimeOffset>(column);

    /// <summary>The account-level inputs of a cycle (limits, decayed usage, project priorities, cpu-seconds in the quota window).</summary>
    private async Task<SchedulingChanges> ReadAccountInputsAsync(NpgsqlTransaction tx, TimeSpan cpuHoursWindow, CancellationToken cancellationToken)
    {
        var limits = await ReadLimitsAsync(tx, null, null, cancellationToken);
        object[] since = [time.GetUtcNow() - cpuHoursWindow];
        return new SchedulingChanges(false, ChangeMark.Start, [], [])
        {
            Limits = limits,
            DecayedUsage = await QueryAsync(SchedulingRows.DecayedUsageQuery, [], reader => SchedulingRows.ReadDecayedUsageAsync(reader, ReadTime, cancellationToken)),
            ProjectPriorities = await QueryAsync(SchedulingRows.ProjectPrioritiesQuery, [], reader => SchedulingRows.ReadByNameAsync<int>(reader, cancellationToken)),
            UserWindowCpuSeconds = await QueryAsync("SELECT owner, SUM(cpu_seconds) FROM usage_records WHERE ended_at >= $1 GROUP BY owner", since,
                reader => SchedulingRows.ReadByNameAsync<double>(reader, cancellationToken)),
            ProjectWindowCpuSeconds = await QueryAsync("SELECT project, SUM(cpu_seconds) FROM usage_records WHERE ended_at >= $1 GROUP BY project", since,
                reader => SchedulingRows.ReadByNameAsync<double>(reader, cancellationToken)),
        };

        async Task<T> QueryAsync<T>(string sql, object[] values, Func<DbDataReader, Task<T>> read)
        {
            await using var command = Command(tx, sql, values);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await read(reader);
        }
    }

    public ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, CancellationToken cancellationToken) =>
        ApplyAsync(plan, nodes, fence: null, cancellationToken);

    public ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, Leadership fence, CancellationToken cancellationToken) =>
        ApplyAsync(plan, nodes, fence, cancellationToken);

    /// <summary>How many jobs' pending reasons and expected starts one statement writes (a first plan over a deep queue has one a job).</summary>
    internal int PendingRowsPerStatement { get; set; } = 10_000;

    /// <summary>
    /// Applies a plan in one transaction that holds the plan lock (an advisory lock, to its end): plans are the only writes
    /// that add to a node's load (transitions only release it), so with plans one at a time the load read inside the lock
    /// can only shrink before the commit, and a node is never over-committed, whatever number of servers apply plans.
    /// Pending reasons and expected starts beyond <see cref="PendingRowsPerStatement"/> are written first, each batch in
    /// a short transaction of its own fenced alike: a million of them in one statement outlasted Npgsql's command timeout
    /// (and held a million row locks against users' holds and kills meanwhile). They are advice to jobs still pending, so a
    /// plan cut short (its lease lost, the database gone) leaves some written and nothing placed: the leader's next cycle
    /// starts from a full read and writes again what differs.
    /// </summary>
    private async ValueTask<IReadOnlyList<AppliedPlacement>> ApplyAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, Leadership? fence, CancellationToken cancellationToken)
    {
        if (plan.Placements.Count == 0 && plan.PendingReasons.Count == 0 && plan.Rejections.Count == 0 && plan.ExpectedStarts.Count == 0)
        {
            return [];
        }
        var now = time.GetUtcNow();
        var pendingRows = plan.PendingReasons.Select(r => (Id: r.Key, Reason: (string?)r.Value, Start: plan.ExpectedStarts.TryGetValue(r.Key, out var start) ? Stored(start) : (DateTimeOffset?)null))
            .Concat(plan.ExpectedStarts.Where(s => !plan.PendingReasons.ContainsKey(s.Key)).Select(s => (Id: s.Key, Reason: (string?)null, Start: (DateTimeOffset?)Stored(s.Value))))
            .Chunk(PendingRowsPerStatement).ToList();
        for (var batch = 0; batch < pendingRows.Count - 1; batch++)
        {
            var rows = pendingRows[batch];
            await WriteAsync(async tx =>
            {
                await LockPlansAsync(tx, fence, cancellationToken);
                await WritePendingRowsAsync(tx, rows, cancellationToken);
                return 0;
            }, cancellationToken);
        }
        return await WriteAsync<IReadOnlyList<AppliedPlacement>>(async tx =>
        {
            await LockPlansAsync(tx, fence, cancellationToken);
            var applied = new List<AppliedPlacement>();
            var usage = await ReadUsageAsync(tx, cancellationToken);
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
                    UPDATE jobs SET state = 'Scheduled', node = $1, attempt = attempt + 1, version = version + 1,
                        scheduled_at = $2, reason = NULL, expected_start = NULL
                    WHERE id = $3 AND version = $4 AND state = 'Pending'
                    RETURNING attempt
                    """,
                    placement.Node, now, placement.JobId, placement.Version);
                if (await update.ExecuteScalarAsync(cancellationToken) is not int attempt)
                {
                    continue;
                }
                usage[placement.Node] = used + placement.Resources;
                applied.Add(new AppliedPlacement(placement.JobId, attempt, placement.Node));
            }
            await InsertEventsAsync(tx, [.. applied.Select(a => a.JobId)], [.. applied.Select(a => JobLifecycle.Scheduled(a.Node, a.Attempt, now))], cancellationToken);
            if (pendingRows.Count > 0)
            {
                await WritePendingRowsAsync(tx, pendingRows[^1], cancellationToken);
            }
            foreach (var (id, reason) in plan.Rejections)
            {
                // Re-read: only a job still pending is rejected; one a user killed meanwhile stays as it is.
                if (await ReadJobForUpdateAsync(tx, id, cancellationToken) is { State: JobState.Pending } job)
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

    /// <summary>Takes the plan lock; then, if fenced, checks the lease is still this term's and keeps it so to the transaction's end.</summary>
    private static async Task LockPlansAsync(NpgsqlTransaction tx, Leadership? fence, CancellationToken cancellationToken)
    {
        await using (var planLock = Command(tx, "SELECT pg_advisory_xact_lock($1)", PlanLock))
        {
            await planLock.ExecuteNonQueryAsync(cancellationToken);
        }
        // After the plan lock: from here the lease stays live until this transaction ends (FenceAsync locks its row).
        if (fence is not null && !await PostgresLeaderLease.FenceAsync(tx, fence, cancellationToken))
        {
            throw new LeaseLostException(fence);
        }
    }

    /// <summary>
    /// Reasons and expected starts of jobs left pending, in one statement: a row without a reason (an expected start alone)
    /// keeps the job's reason. Only a job still pending takes them.
    /// </summary>
    private static async Task WritePendingRowsAsync(NpgsqlTransaction tx, (long Id, string? Reason, DateTimeOffset? Start)[] rows, CancellationToken cancellationToken)
    {
        await using var update = Command(tx,
            """
            UPDATE jobs SET reason = COALESCE(u.reason, jobs.reason), expected_start = u.start
            FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS u(id, reason, start)
            WHERE jobs.id = u.id AND jobs.state = 'Pending'
            """,
            rows.Select(r => r.Id).ToArray(), rows.Select(r => r.Reason).ToArray(), rows.Select(r => r.Start).ToArray());
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<Job> TransitionAsync(JobChange change, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobForUpdateAsync(tx, change.JobId, cancellationToken)
                ?? throw new KeyNotFoundException($"job {change.JobId} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.Apply(job, change, now), cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask<Job> RequestStopAsync(long id, StopRequest request, CancellationToken cancellationToken)
    {
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobForUpdateAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.RequestStop(job, request), cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask AppendEventAsync(long id, JobEvent jobEvent, CancellationToken cancellationToken)
    {
        await WriteAsync(async tx =>
        {
            await InsertEventsAsync(tx, [id], [jobEvent], cancellationToken);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Holds a pending job (<paramref name="heldBy"/> "user" or "admin") or releases it (null).</summary>
    /// <exception cref="KeyNotFoundException">when there is no such job.</exception>
    /// <exception cref="InvalidOperationException">when the job is not pending.</exception>
    public async ValueTask<Job> SetHoldAsync(long id, string? heldBy, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobForUpdateAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
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
            var job = await ReadJobForUpdateAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            return await PersistAsync(tx, job, JobLifecycle.SetPriorityAdjustment(job, adjustment, actor, now), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Writes what the life cycle decided: the job's fields, guarded by the version read (and locked) in this transaction,
    /// its event, its usage charge, its accounting record and its notice. An unchanged job is not written.
    /// </summary>
    private async Task<Job> PersistAsync(NpgsqlTransaction tx, Job read, JobUpdate update, CancellationToken cancellationToken)
    {
        if (!update.Changed)
        {
            return update.Job;
        }
        var job = update.Job;
        await using (var write = Command(tx,
            """
            UPDATE jobs SET state = $1, reason = $2, node = $3, attempt = $4, container_id = $5, exit_code = $6,
                started_at = $7, ended_at = $8, scheduled_at = $9, stop_request = $10, version = $11,
                expected_start = $12, end_cause = $13, held_by = $14, priority_adjustment = $15, task_log = $18
            WHERE id = $16 AND version = $17
            """,
            job.State.ToString(), job.Reason, job.Node, job.Attempt, job.ContainerId, job.ExitCode,
            job.StartedAt, job.EndedAt, job.ScheduledAt,
            job.StopRequested is null ? null : JsonSerializer.Serialize(job.StopRequested, GoDockerJson.Default.StopRequest),
            job.Version, job.ExpectedStart, job.EndCause?.ToString(), job.HeldBy, job.PriorityAdjustment, read.Id, read.Version,
            job.TaskLog is null ? null : JsonSerializer.Serialize(job.TaskLog, GoDockerJson.Default.TaskRunLog)))
        {
            if (await write.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new JobVersionConflictException(read.Id, read.Version);
            }
        }
        await InsertEventsAsync(tx, [read.Id], [update.Event!], cancellationToken);
        if (update.Charge is { } charge)
        {
            await RecordUsageAsync(tx, charge, UsageHalfLife, cancellationToken);
        }
        if (update.Record is { } record)
        {
            await PostgresAccounting.InsertAsync(tx, record, cancellationToken);
        }
        if (update.Notice is { } notice)
        {
            await PostgresNotificationStore.InsertAsync(tx, notice, update.Event!.At, cancellationToken);
        }
        return job;
    }

    /// <summary>
    /// Records a charge: one usage record per attempt (for the quota window), and the decayed totals fair share reads,
    /// each read under a row lock, added to by the charge and written back: two servers charging one account at once
    /// add one after the other.
    /// </summary>
    private static async Task RecordUsageAsync(NpgsqlTransaction tx, UsageCharge charge, TimeSpan halfLife, CancellationToken cancellationToken)
    {
        var consumed = charge.Consumption;
        await using (var record = Command(tx,
            """
            INSERT INTO usage_records (job_id, attempt, owner, project, ended_at, cpu_seconds, memory_gib_seconds, gpu_seconds)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (job_id, attempt) DO NOTHING
            """,
            charge.JobId, charge.Attempt, charge.Owner, charge.Project, charge.EndedAt, consumed.CpuSeconds, consumed.MemoryGibSeconds, consumed.GpuSeconds))
        {
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return; // this attempt was charged already
            }
        }
        foreach (var (kind, name) in charge.Accounts)
        {
            while (true)
            {
                var current = await ReadDecayedForUpdateAsync(tx, kind, name, cancellationToken);
                var next = charge.AddTo(current, halfLife);
                if (current is not null)
                {
                    await using var update = Command(tx,
                        "UPDATE usage_decayed SET cpu_seconds = $3, memory_gib_seconds = $4, gpu_seconds = $5, as_of = $6 WHERE kind = $1 AND name = $2",
                        kind.Name(), name, next.CpuSeconds, next.MemoryGibSeconds, next.GpuSeconds, next.AsOf);
                    await update.ExecuteNonQueryAsync(cancellationToken);
                    break;
                }
                // No row to lock yet: the first insert wins; one that lost to another server's reads that row, locked, again.
                await using var insert = Command(tx,
                    """
                    INSERT INTO usage_decayed (kind, name, cpu_seconds, memory_gib_seconds, gpu_seconds, as_of) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (kind, name) DO NOTHING
                    """,
                    kind.Name(), name, next.CpuSeconds, next.MemoryGibSeconds, next.GpuSeconds, next.AsOf);
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    break;
                }
            }
        }
    }

    private static async Task<DecayedUsage?> ReadDecayedForUpdateAsync(NpgsqlTransaction tx, AccountKind kind, string name, CancellationToken cancellationToken)
    {
        await using var read = Command(tx,
            "SELECT cpu_seconds, memory_gib_seconds, gpu_seconds, as_of FROM usage_decayed WHERE kind = $1 AND name = $2 FOR UPDATE", kind.Name(), name);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new DecayedUsage(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>Cpu-seconds charged to a user or project by jobs that ended since <paramref name="since"/>.</summary>
    public async ValueTask<double> CpuSecondsSinceAsync(AccountKind kind, string name, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT COALESCE(SUM(cpu_seconds), 0) FROM usage_records WHERE {(kind == AccountKind.User ? "owner" : "project")} = $1 AND ended_at >= $2",
            name, since);
        return (double)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask<IReadOnlyList<JobCount>> CountJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
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
        var sql = $"SELECT {JobColumns} FROM jobs WHERE state = ANY($1) AND ended_at IS NOT NULL AND ended_at < $2"
            + (query.Owner is not null ? " AND owner = $4" : "") + " ORDER BY id LIMIT $3";
        object?[] values = query.Owner is not null
            ? [states.Select(s => s.ToString()).ToArray(), query.EndedBefore, query.Limit, query.Owner]
            : [states.Select(s => s.ToString()).ToArray(), query.EndedBefore, query.Limit];
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, sql, values);
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
        var ended = Enum.GetValues<JobState>().Where(s => s.IsTerminal()).Select(s => s.ToString()).ToArray();
        return await WriteAsync<IReadOnlyList<long>>(async tx =>
        {
            await using var jobs = Command(tx, "DELETE FROM jobs WHERE id = ANY($1) AND state = ANY($2) RETURNING id", ids.Distinct().ToArray(), ended);
            var deleted = new List<long>();
            await using (var reader = await jobs.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    deleted.Add(reader.GetInt64(0));
                }
            }
            var gone = deleted.ToArray();
            foreach (var table in (string[])["job_events", "job_tags", "usage_points", "idempotency_keys"])
            {
                await using var rest = Command(tx, $"DELETE FROM {table} WHERE job_id = ANY($1)", gone);
                await rest.ExecuteNonQueryAsync(cancellationToken);
            }
            deleted.Sort();
            return deleted;
        }, cancellationToken);
    }

    /// <summary>Shares, priority and quotas an administrator set; filtered by kind and name when given.</summary>
    public async ValueTask<IReadOnlyList<AccountLimits>> GetLimitsAsync(AccountKind? kind, string? name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        return await ReadLimitsAsync(tx, kind, name, cancellationToken);
    }

    /// <summary>Replaces what is set for one account; an entry with nothing set is removed.</summary>
    public async ValueTask SetLimitsAsync(AccountLimits limits, CancellationToken cancellationToken)
    {
        await WriteAsync(async tx =>
        {
            var q = limits.Quota;
            var empty = limits.Shares is null && limits.Priority is null && q.IsUnlimited;
            await using var write = empty
                ? Command(tx, "DELETE FROM account_limits WHERE kind = $1 AND name = $2", limits.Kind.Name(), limits.Name)
                : Command(tx,
                    """
                    INSERT INTO account_limits (kind, name, shares, priority, max_running_jobs, max_cpus, max_memory_bytes, max_gpus, max_cpu_hours, max_pending_jobs)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    ON CONFLICT (kind, name) DO UPDATE SET shares = EXCLUDED.shares, priority = EXCLUDED.priority,
                        max_running_jobs = EXCLUDED.max_running_jobs, max_cpus = EXCLUDED.max_cpus, max_memory_bytes = EXCLUDED.max_memory_bytes,
                        max_gpus = EXCLUDED.max_gpus, max_cpu_hours = EXCLUDED.max_cpu_hours, max_pending_jobs = EXCLUDED.max_pending_jobs
                    """,
                    limits.Kind.Name(), limits.Name, limits.Shares, limits.Priority,
                    q.MaxRunningJobs, q.MaxCpus, q.MaxMemoryBytes, q.MaxGpus, q.MaxCpuHours, q.MaxPendingJobs);
            await write.ExecuteNonQueryAsync(cancellationToken);
            return 0;
        }, cancellationToken);
    }

    private static async Task<IReadOnlyList<AccountLimits>> ReadLimitsAsync(NpgsqlTransaction tx, AccountKind? kind, string? name, CancellationToken cancellationToken)
    {
        // Ordered by code point, as SQLite's binary collation orders them, whatever the database's collation.
        await using var command = Command(tx,
            """
            SELECT kind, name, shares, priority, max_running_jobs, max_cpus, max_memory_bytes, max_gpus, max_cpu_hours, max_pending_jobs
            FROM account_limits WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR name = $2) ORDER BY kind COLLATE "C", name COLLATE "C"
            """,
            kind?.Name(), name);
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

    /// <summary>The job's row, locked to the end of <paramref name="tx"/>: a change made by another server waits, then reads what this one wrote.</summary>
    private static async Task<Job?> ReadJobForUpdateAsync(NpgsqlTransaction tx, long id, CancellationToken cancellationToken)
    {
        await using var command = Command(tx, $"SELECT {JobColumns} FROM jobs WHERE id = $1 FOR UPDATE", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    /// <summary>
    /// What the jobs holding resources hold per node, as <see cref="NodeUsage"/> sums them (the same states, those of
    /// <see cref="JobStateExtensions.HoldsResources"/>), summed by the database inside the plan's transaction.
    /// </summary>
    private static async Task<Dictionary<string, Resources>> ReadUsageAsync(NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = Command(tx,
            """
            SELECT node, SUM(cpus), SUM(memory_bytes)::bigint, SUM(gpus)::integer
            FROM jobs WHERE state IN ('Scheduled', 'Running', 'Suspended') AND node IS NOT NULL GROUP BY node
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var usage = new Dictionary<string, Resources>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            usage[reader.GetString(0)] = new Resources(reader.GetDouble(1), reader.GetInt64(2), reader.GetInt32(3));
        }
        return usage;
    }

    /// <summary>One event per job (<paramref name="ids"/>[i] gets <paramref name="events"/>[i]), in one statement.</summary>
    private static async Task InsertEventsAsync(NpgsqlTransaction tx, IReadOnlyList<long> ids, IReadOnlyList<JobEvent> events, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await using var command = Command(tx,
            """
            INSERT INTO job_events (job_id, at, kind, message)
            SELECT u.id, u.at, u.kind, u.message FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[]) WITH ORDINALITY AS u(id, at, kind, message, n)
            ORDER BY u.n
            """,
            ids.ToArray(), events.Select(e => Stored(e.At)).ToArray(), events.Select(e => e.Kind).ToArray(), events.Select(e => e.Message).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Job ReadJob(DbDataReader reader)
    {
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
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

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction on a pooled connection; rows it changes are locked
    /// by the statements that read them (FOR UPDATE) or write them. A transaction the database chose as a deadlock's
    /// victim (or refused to serialize) was rolled back whole: it is run again from the start, reading anew, a few times.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync((_, tx) => work(tx!), transaction: true, cancellationToken);

    /// <param name="transaction">False for work of one statement, atomic by itself: no BEGIN and COMMIT around it.</param>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, bool transaction, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                await using var tx = transaction ? await connection.BeginTransactionAsync(cancellationToken) : null;
                var result = await work(connection, tx);
                if (tx is not null)
                {
                    await tx.CommitAsync(CancellationToken.None);
                }
                writeFault = null;
                return result;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxWriteAttempts)
            {
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DiskFull)
            {
                writeFault = $"disk full: the store cannot write ({e.MessageText.TrimEnd('.')})";
                throw new StoreFullException(writeFault, e);
            }
        }
    }

    /// <summary>Stops the submission writer once the submits already queued are written; the data source is the caller's.</summary>
    public async ValueTask DisposeAsync()
    {
        submissions.Writer.TryComplete();
        await submissionWriter;
    }
}
