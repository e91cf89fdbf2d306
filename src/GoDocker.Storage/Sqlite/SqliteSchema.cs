using Microsoft.Data.Sqlite;

namespace GoDocker.Storage.Sqlite;

/// <summary>Schema migrations, applied in order; PRAGMA user_version records how far a file has come.</summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner TEXT NOT NULL,
            project TEXT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT,
            node TEXT,
            attempt INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            cpus REAL NOT NULL,
            memory_bytes INTEGER NOT NULL,
            spec TEXT NOT NULL,
            submitted_at INTEGER NOT NULL,
            scheduled_at INTEGER,
            started_at INTEGER,
            ended_at INTEGER,
            exit_code INTEGER,
            container_id TEXT,
            stop_request TEXT
        );
        CREATE INDEX jobs_by_state ON jobs (state, id);
        CREATE INDEX jobs_by_owner ON jobs (owner, id);
        CREATE INDEX jobs_by_project ON jobs (project, id);
        CREATE TABLE job_tags (tag TEXT NOT NULL, job_id INTEGER NOT NULL, PRIMARY KEY (tag, job_id)) WITHOUT ROWID;
        CREATE TABLE job_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX job_events_by_job ON job_events (job_id, seq);
        """,
        """
        CREATE TABLE users (
            login TEXT PRIMARY KEY,
            uid INTEGER NOT NULL,
            gid INTEGER NOT NULL,
            secondary_gids TEXT NOT NULL,
            groups TEXT NOT NULL,
            home TEXT NOT NULL,
            email TEXT,
            admin INTEGER NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0,
            provider TEXT NOT NULL,
            password_hash TEXT
        );
        CREATE TABLE projects (name TEXT PRIMARY KEY, priority INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE project_members (
            project TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
            login TEXT NOT NULL,
            manager INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (project, login)
        ) WITHOUT ROWID;
        CREATE INDEX project_members_by_login ON project_members (login);
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            login TEXT NOT NULL,
            name TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            last_used_at INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX tokens_by_login ON tokens (login, id);
        INSERT INTO projects (name, priority) VALUES ('default', 0);
        """,
        """
        -- The per-user pending limit counts a user's jobs in one state at every submit: an index-only count.
        CREATE INDEX jobs_by_owner_state ON jobs (owner, state);
        """,
        """
        -- Scheduling worthy of a shared cluster: gpus, walltime, holds, priority adjustments, arrays, dependencies,
        -- expected starts; usage for fair share and quotas; per-account shares, priority and limits.
        ALTER TABLE jobs ADD COLUMN gpus INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE jobs ADD COLUMN walltime_seconds INTEGER;
        ALTER TABLE jobs ADD COLUMN held_by TEXT;
        ALTER TABLE jobs ADD COLUMN priority_adjustment INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE jobs ADD COLUMN array_id INTEGER;
        ALTER TABLE jobs ADD COLUMN expected_start INTEGER;
        -- The scheduler's inputs from the spec, as columns so a cycle never parses spec JSON.
        ALTER TABLE jobs ADD COLUMN constraints TEXT;
        ALTER TABLE jobs ADD COLUMN dependencies TEXT;
        ALTER TABLE jobs ADD COLUMN array_max INTEGER;
        CREATE INDEX jobs_by_array ON jobs (array_id, id) WHERE array_id IS NOT NULL;
        CREATE TABLE usage_records (
            job_id INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            owner TEXT NOT NULL,
            project TEXT NOT NULL,
            ended_at INTEGER NOT NULL,
            cpu_seconds REAL NOT NULL,
            memory_gib_seconds REAL NOT NULL,
            gpu_seconds REAL NOT NULL,
            PRIMARY KEY (job_id, attempt)
        );
        CREATE INDEX usage_by_owner ON usage_records (owner, ended_at);
        CREATE INDEX usage_by_project ON usage_records (project, ended_at);
        CREATE TABLE usage_decayed (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            cpu_seconds REAL NOT NULL,
            memory_gib_seconds REAL NOT NULL,
            gpu_seconds REAL NOT NULL,
            as_of INTEGER NOT NULL,
            PRIMARY KEY (kind, name)
        ) WITHOUT ROWID;
        CREATE TABLE account_limits (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            shares REAL,
            priority INTEGER,
            max_running_jobs INTEGER,
            max_cpus REAL,
            max_memory_bytes INTEGER,
            max_gpus INTEGER,
            max_cpu_hours REAL,
            max_pending_jobs INTEGER,
            PRIMARY KEY (kind, name)
        ) WITHOUT ROWID;
        """,
        """
        -- Idempotency-Key on submit, written in the transaction of the jobs it made: neither exists without the other.
        CREATE TABLE idempotency_keys (
            owner TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            job_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (owner, key)
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
        """,
        """
        -- Why a job ended, as a closed value (EndCause) beside its reason.
        ALTER TABLE jobs ADD COLUMN end_cause TEXT;
        """,
        """
        -- The scheduler's pending index reads only the jobs changed since its last read (ReadSchedulingChangesAsync): every
        -- insert and every update of a job takes the next change number, except a plan's write of pending reasons and
        -- expected starts (the leader that applied the plan knows them). A column added later that the scheduler reads
        -- must be added to the update trigger's list.
        ALTER TABLE jobs ADD COLUMN change_id INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX jobs_by_change ON jobs (change_id);
        CREATE TRIGGER jobs_changed_by_insert AFTER INSERT ON jobs BEGIN
            UPDATE jobs SET change_id = (SELECT MAX(change_id) FROM jobs) + 1 WHERE id = NEW.id;
        END;
        CREATE TRIGGER jobs_changed_by_update AFTER UPDATE OF
            owner, project, name, state, node, attempt, version, cpus, memory_bytes, spec, submitted_at, scheduled_at, started_at,
            ended_at, exit_code, container_id, stop_request, gpus, walltime_seconds, held_by, priority_adjustment, array_id,
            constraints, dependencies, array_max, end_cause
        ON jobs BEGIN
            UPDATE jobs SET change_id = (SELECT MAX(change_id) FROM jobs) + 1 WHERE id = NEW.id;
        END;
        """,
        """
        -- A submit's INSERT sets change_id itself (the next change number): the insert trigger rewrote every new row.
        -- The trigger stays for an insert that leaves it unset (0), so no insert is ever missed by a change read.
        DROP TRIGGER jobs_changed_by_insert;
        CREATE TRIGGER jobs_changed_by_insert AFTER INSERT ON jobs WHEN NEW.change_id = 0 BEGIN
            UPDATE jobs SET change_id = (SELECT MAX(change_id) FROM jobs) + 1 WHERE id = NEW.id;
        END;
        """,
        """
        -- Accounting (sacct): one record per ended attempt, or per job that ended without its attempt running, written in
        -- the transaction of the change that ends it (JobLifecycle decides it). The measured columns are null when nothing
        -- was measured. Beside usage_records (the charges fair share and quotas read), which stay as they are.
        CREATE TABLE accounting (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id INTEGER NOT NULL,
            array_id INTEGER,
            name TEXT NOT NULL,
            owner TEXT NOT NULL,
            project TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            state TEXT NOT NULL,
            end_cause TEXT,
            reason TEXT,
            exit_code INTEGER,
            node TEXT,
            submitted_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER NOT NULL,
            cpus REAL NOT NULL,
            memory_bytes INTEGER NOT NULL,
            gpus INTEGER NOT NULL,
            cpu_seconds REAL,
            max_rss_bytes INTEGER,
            max_pids INTEGER,
            block_read_bytes INTEGER,
            block_write_bytes INTEGER,
            net_received_bytes INTEGER,
            net_sent_bytes INTEGER,
            samples INTEGER,
            last_sample_at INTEGER
        );
        -- The history's filters: a job's records, and a user's, a project's, a state's or everyone's by end time.
        CREATE INDEX accounting_by_job ON accounting (job_id, seq);
        CREATE INDEX accounting_by_owner ON accounting (owner, ended_at);
        CREATE INDEX accounting_by_project ON accounting (project, ended_at);
        CREATE INDEX accounting_by_state ON accounting (state, ended_at);
        CREATE INDEX accounting_by_end ON accounting (ended_at);
        -- The kept usage series of each job's attempts (UsageSeries): bounded, rewritten from an index when compacted.
        CREATE TABLE usage_points (
            job_id INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            at INTEGER NOT NULL,
            samples INTEGER NOT NULL,
            cpu_seconds REAL NOT NULL,
            max_rss_bytes INTEGER NOT NULL,
            cache_bytes INTEGER NOT NULL,
            max_pids INTEGER NOT NULL,
            block_read_bytes INTEGER NOT NULL,
            block_write_bytes INTEGER NOT NULL,
            network_received_bytes INTEGER NOT NULL,
            network_sent_bytes INTEGER NOT NULL,
            PRIMARY KEY (job_id, attempt, idx)
        ) WITHOUT ROWID;
        """,
        """
        -- A job list sorted by submit time (GET /jobs?sort=-submitted) reads its first page from this index instead of
        -- sorting the whole table (on 200k jobs: 342 ms -> 7 ms). Ties go by id.
        CREATE INDEX jobs_by_submitted ON jobs (submitted_at, id);
        """,
        """
        -- The notification outbox: a job's change writes its notice here in the change's transaction; the leader's sender
        -- delivers it (next_try_at set while undone) and records each target it reached, never sending one twice.
        CREATE TABLE notification_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id INTEGER NOT NULL,
            notice TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try_at INTEGER,
            done_at INTEGER,
            last_error TEXT
        );
        CREATE INDEX notification_outbox_due ON notification_outbox (next_try_at, id) WHERE next_try_at IS NOT NULL;
        CREATE INDEX notification_outbox_by_job ON notification_outbox (job_id, id);
        CREATE TABLE notification_deliveries (
            notice_id INTEGER NOT NULL,
            target TEXT NOT NULL,
            delivered_at INTEGER NOT NULL,
            PRIMARY KEY (notice_id, target)
        ) WITHOUT ROWID;
        -- Users' webhooks; the signing key is derived from the site's secret and the id, never stored.
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX webhooks_by_owner ON webhooks (owner, created_at);
        """,
        """
        -- A TES task's runner record of its last attempt (JSON), kept at its end: its executors' logs outlive the job directory.
        ALTER TABLE jobs ADD COLUMN task_log TEXT;
        """,
    ];

    /// <summary>
    /// The connection settings of a store that shares the jobs' file beside the job store, on connections of its own
    /// (pooled; WAL serialises writers). DefaultTimeout is also the busy timeout: a write waits this long for the job
    /// store's writer.
    /// </summary>
    public static SqliteConnectionStringBuilder SharedFile(string path) => new()
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    };

    /// <summary>Opens the file once, migrating its schema as needed, and returns the connection string to use from then on.</summary>
    public static async Task<string> OpenMigratedAsync(SqliteConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        var connectionString = settings.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await MigrateAsync(connection, cancellationToken);
        return connectionString;
    }

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var wal = connection.CreateCommand())
        {
            // WAL: readers never block the writer; NORMAL: durable at checkpoints, safe against process crashes.
            wal.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = version; i < Migrations.Length; i++)
        {
            await using var tx = connection.BeginTransaction();
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = tx;
            migrate.CommandText = Migrations[i] + $"\nPRAGMA user_version = {i + 1};";
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
    }
}
