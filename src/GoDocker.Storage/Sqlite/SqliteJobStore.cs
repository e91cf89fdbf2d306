using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
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
        "id, owner, state, reason, node, attempt, version, spec, submitted_at, scheduled_at, started_at, ended_at, exit_code, container_id, stop_request";

    private const string SubmittedReason = "submitted, waiting for the scheduler";
    private const int MaxSubmitBatch = 512;

    private readonly string connectionString;
    private readonly TimeProvider time;
    private readonly SqliteConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly Channel<SubmitRequest> submissions = Channel.CreateUnbounded<SubmitRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task submissionWriter;

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

    public async ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var request = new SubmitRequest(spec, owner, JsonSerializer.Serialize(spec, GoDockerJson.Default.ResolvedJobSpec), now);
        await submissions.Writer.WriteAsync(request, cancellationToken);
        var id = await request.Done.Task.WaitAsync(cancellationToken);
        return new Job
        {
            Id = id,
            Owner = owner,
            Spec = spec,
            State = JobState.Pending,
            Reason = SubmittedReason,
            Version = 1,
            SubmittedAt = now,
        };
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

    private static async Task<long[]> InsertSubmissionsAsync(SqliteTransaction tx, List<SubmitRequest> batch)
    {
        await using var insert = Command(tx,
            """
            INSERT INTO jobs (owner, project, name, state, reason, cpus, memory_bytes, spec, submitted_at)
            VALUES ($owner, $project, $name, 'Pending', $reason, $cpus, $memory, $spec, $at)
            RETURNING id
            """,
            ("$owner", ""), ("$project", ""), ("$name", ""), ("$reason", SubmittedReason), ("$cpus", 0.0), ("$memory", 0L), ("$spec", ""), ("$at", 0L));
        await using var tag = Command(tx, "INSERT OR IGNORE INTO job_tags (tag, job_id) VALUES ($tag, $id)", ("$tag", ""), ("$id", 0L));
        await using var submitted = Command(tx, "INSERT INTO job_events (job_id, at, kind, message) VALUES ($id, $at, 'submitted', $message)",
            ("$id", 0L), ("$at", 0L), ("$message", ""));
        var ids = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (spec, owner, json, at) = (batch[i].Spec, batch[i].Owner, batch[i].SpecJson, batch[i].At.ToUnixTimeMilliseconds());
            insert.Parameters["$owner"].Value = owner;
            insert.Parameters["$project"].Value = spec.Project;
            insert.Parameters["$name"].Value = spec.Name;
            insert.Parameters["$cpus"].Value = spec.Cpus;
            insert.Parameters["$memory"].Value = spec.MemoryBytes;
            insert.Parameters["$spec"].Value = json;
            insert.Parameters["$at"].Value = at;
            var id = ids[i] = (long)(await insert.ExecuteScalarAsync())!;
            foreach (var t in spec.Tags)
            {
                tag.Parameters["$tag"].Value = t;
                tag.Parameters["$id"].Value = id;
                await tag.ExecuteNonQueryAsync();
            }
            submitted.Parameters["$id"].Value = id;
            submitted.Parameters["$at"].Value = at;
            submitted.Parameters["$message"].Value = $"submitted by {owner} to project {spec.Project}";
            await submitted.ExecuteNonQueryAsync();
        }
        return ids;
    }

    private sealed record SubmitRequest(ResolvedJobSpec Spec, string Owner, string SpecJson, DateTimeOffset At)
    {
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

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
        if (query.Tag is not null)
        {
            where.Append(" AND id IN (SELECT job_id FROM job_tags WHERE tag = $tag)");
            parameters.Add(("$tag", query.Tag));
        }
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var tx = connection.BeginTransaction(deferred: true);
        await using var count = Command(connection, "SELECT COUNT(*) FROM jobs" + where, [.. parameters]);
        count.Transaction = tx;
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        parameters.Add(("$limit", query.Limit));
        parameters.Add(("$offset", query.Offset));
        await using var list = Command(connection, $"SELECT {JobColumns} FROM jobs{where} ORDER BY id LIMIT $limit OFFSET $offset", [.. parameters]);
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

    public async ValueTask<SchedulingInput> ReadSchedulingInputAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        // One read transaction: the pending list and the usage are one consistent snapshot.
        await using var tx = connection.BeginTransaction(deferred: true);
        var pending = new List<PendingJob>();
        await using (var command = Command(connection,
            "SELECT id, version, owner, project, cpus, memory_bytes, submitted_at, reason FROM jobs WHERE state = 'Pending' ORDER BY id"))
        {
            command.Transaction = tx;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                pending.Add(new PendingJob(
                    reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    reader.GetDouble(4), reader.GetInt64(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }
        }
        var usage = await ReadUsageAsync(connection, tx, cancellationToken);
        return new SchedulingInput(pending, usage);
    }

    public async ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, CancellationToken cancellationToken)
    {
        if (plan.Placements.Count == 0 && plan.PendingReasons.Count == 0)
        {
            return [];
        }
        var now = time.GetUtcNow();
        return await WriteAsync(async tx =>
        {
            var applied = new List<AppliedPlacement>();
            var usage = new Dictionary<string, NodeUsage>(await ReadUsageAsync(writer, tx, cancellationToken));
            var byName = nodes.ToDictionary(n => n.Name);
            foreach (var placement in plan.Placements)
            {
                // Re-check against what is committed now: the node may have filled since the snapshot.
                if (!byName.TryGetValue(placement.Node, out var node) || !node.Schedulable)
                {
                    continue;
                }
                var used = usage.GetValueOrDefault(placement.Node) ?? new NodeUsage(0, 0);
                if (used.Cpus + placement.Cpus > node.Cpus + 1e-9 || used.MemoryBytes + placement.MemoryBytes > node.MemoryBytes)
                {
                    continue;
                }
                await using var update = Command(tx,
                    """
                    UPDATE jobs SET state = 'Scheduled', node = $node, attempt = attempt + 1, version = version + 1,
                        scheduled_at = $at, reason = NULL
                    WHERE id = $id AND version = $version AND state = 'Pending'
                    RETURNING attempt
                    """,
                    ("$node", placement.Node), ("$at", now.ToUnixTimeMilliseconds()), ("$id", placement.JobId), ("$version", placement.Version));
                if (await update.ExecuteScalarAsync(cancellationToken) is not long attempt)
                {
                    continue;
                }
                usage[placement.Node] = new NodeUsage(used.Cpus + placement.Cpus, used.MemoryBytes + placement.MemoryBytes);
                await InsertEventAsync(tx, placement.JobId, new JobEvent(now, "scheduled", $"scheduled on node {placement.Node} (attempt {attempt})"), cancellationToken);
                applied.Add(new AppliedPlacement(placement.JobId, (int)attempt, placement.Node));
            }
            foreach (var (id, reason) in plan.PendingReasons)
            {
                await using var update = Command(tx, "UPDATE jobs SET reason = $reason WHERE id = $id AND state = 'Pending'", ("$reason", reason), ("$id", id));
                await update.ExecuteNonQueryAsync(cancellationToken);
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
            if (job.Version != change.ExpectedVersion)
            {
                throw new JobVersionConflictException(change.JobId, change.ExpectedVersion);
            }
            return await ApplyTransitionAsync(tx, job, change, now, cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask<Job> RequestStopAsync(long id, StopRequest request, CancellationToken cancellationToken)
    {
        return await WriteAsync(async tx =>
        {
            var job = await ReadJobAsync(tx, id, cancellationToken) ?? throw new KeyNotFoundException($"job {id} does not exist");
            if (job.State.IsTerminal())
            {
                return job;
            }
            if (job.State == JobState.Pending || (job.State == JobState.Scheduled && job.ContainerId is null))
            {
                // Never started: nothing to stop. A launch racing with this sees the new version and backs off.
                var change = new JobChange(id, job.Version, request.EndState, "ended", request.Reason)
                {
                    Reason = request.Reason,
                    EndedAt = request.At,
                };
                return await ApplyTransitionAsync(tx, job, change, request.At, cancellationToken);
            }
            if (job.StopRequested is not null)
            {
                return job;
            }
            await using var update = Command(tx,
                "UPDATE jobs SET stop_request = $request, version = version + 1 WHERE id = $id",
                ("$request", JsonSerializer.Serialize(request, GoDockerJson.Default.StopRequest)), ("$id", id));
            await update.ExecuteNonQueryAsync(cancellationToken);
            await InsertEventAsync(tx, id, new JobEvent(request.At, "stop-requested", request.Reason), cancellationToken);
            return job with { StopRequested = request, Version = job.Version + 1 };
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

    private static async Task<Job> ApplyTransitionAsync(SqliteTransaction tx, Job job, JobChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        JobTransitions.Ensure(job.Id, job.State, change.To);
        var updated = job with
        {
            State = change.To,
            Reason = change.Reason ?? (change.To == job.State ? job.Reason : null),
            ContainerId = change.ContainerId ?? job.ContainerId,
            ExitCode = change.ExitCode ?? job.ExitCode,
            StartedAt = change.StartedAt ?? job.StartedAt,
            EndedAt = change.EndedAt ?? job.EndedAt,
            StopRequested = change.ClearStopRequest ? null : job.StopRequested,
            Version = job.Version + 1,
        };
        if (change.To == JobState.Pending)
        {
            // Back to the queue (requeue): the next attempt gets a new container; the node is chosen again.
            updated = updated with
            {
                Node = null,
                ContainerId = null,
                StartedAt = null,
                ScheduledAt = null,
                Reason = change.Reason ?? "requeued, waiting for the scheduler",
            };
        }
        await using var update = Command(tx,
            """
            UPDATE jobs SET state = $state, reason = $reason, node = $node, container_id = $container, exit_code = $exit,
                started_at = $started, ended_at = $ended, scheduled_at = $scheduled, stop_request = $stop, version = $newVersion
            WHERE id = $id AND version = $version
            """,
            ("$state", updated.State.ToString()), ("$reason", updated.Reason), ("$node", updated.Node), ("$container", updated.ContainerId),
            ("$exit", updated.ExitCode), ("$started", updated.StartedAt?.ToUnixTimeMilliseconds()),
            ("$ended", updated.EndedAt?.ToUnixTimeMilliseconds()), ("$scheduled", updated.ScheduledAt?.ToUnixTimeMilliseconds()),
            ("$stop", updated.StopRequested is null ? null : JsonSerializer.Serialize(updated.StopRequested, GoDockerJson.Default.StopRequest)),
            ("$newVersion", updated.Version), ("$id", job.Id), ("$version", job.Version));
        if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new JobVersionConflictException(job.Id, job.Version);
        }
        await InsertEventAsync(tx, job.Id, new JobEvent(now, change.EventKind, change.EventMessage), cancellationToken);
        return updated;
    }

    private static async Task<Job?> ReadJobAsync(SqliteTransaction tx, long id, CancellationToken cancellationToken)
    {
        await using var command = Command(tx, $"SELECT {JobColumns} FROM jobs WHERE id = $id", ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    private static async Task<IReadOnlyDictionary<string, NodeUsage>> ReadUsageAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            "SELECT node, SUM(cpus), SUM(memory_bytes) FROM jobs WHERE state IN ('Scheduled', 'Running', 'Suspended') AND node IS NOT NULL GROUP BY node");
        command.Transaction = tx;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var usage = new Dictionary<string, NodeUsage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            usage[reader.GetString(0)] = new NodeUsage(reader.GetDouble(1), reader.GetInt64(2));
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
        };
    }

    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var tx = writer.BeginTransaction();
            var result = await work(tx);
            await tx.CommitAsync(CancellationToken.None);
            return result;
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
