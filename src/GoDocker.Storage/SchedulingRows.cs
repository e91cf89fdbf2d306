using System.Data.Common;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Usage;

namespace GoDocker.Storage;

/// <summary>
/// The rows of the scheduler's reads (<see cref="IJobStore.ReadSchedulingChangesAsync"/>), as both stores select them:
/// the same columns in the same order, the SQL around them differing only in text. Only how a time is stored differs
/// (SQLite: unix milliseconds; PostgreSQL: timestamptz): each store passes its way of reading one.
/// </summary>
internal static class SchedulingRows
{
    /// <summary>The columns of a job row that <see cref="ReadJobsAsync"/> reads, in its order.</summary>
    public const string JobColumns =
        "id, version, owner, project, cpus, memory_bytes, submitted_at, reason, gpus, walltime_seconds, constraints, priority_adjustment, held_by, "
        + "dependencies, array_id, array_max, state, node, COALESCE(started_at, scheduled_at, submitted_at)";

    /// <summary>The rows of a job named by a dependency (<see cref="ReadNamedAsync"/>).</summary>
    public const string NamedColumns = "id, state, array_id";

    public const string DecayedUsageQuery = "SELECT kind, name, cpu_seconds, memory_gib_seconds, gpu_seconds, as_of FROM usage_decayed";

    public const string ProjectPrioritiesQuery = "SELECT name, priority FROM projects";

    /// <summary>
    /// Each row of <see cref="JobColumns"/> as the change read gives it (pending, holding resources on a node, or neither),
    /// and the ids its pending jobs name in a dependency.
    /// </summary>
    public static async Task<(List<ChangedJob> Jobs, HashSet<long> Referenced)> ReadJobsAsync(
        DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var jobs = new List<ChangedJob>();
        var referenced = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = Enum.Parse<JobState>(reader.GetString(16));
            var node = reader.IsDBNull(17) ? null : reader.GetString(17);
            var job = new ChangedJob(reader.GetInt64(0), state, reader.IsDBNull(14) ? null : reader.GetInt64(14));
            if (state == JobState.Pending)
            {
                var pending = ReadPendingJob(reader, readTime);
                foreach (var dependency in pending.Dependencies)
                {
                    referenced.Add(dependency.JobId);
                }
                job = job with { Pending = pending };
            }
            else if (state.HoldsResources() && node is not null)
            {
                job = job with
                {
                    Running = new RunningJob(job.Id, reader.GetString(2), reader.GetString(3), node,
                        new Resources(reader.GetDouble(4), reader.GetInt64(5), reader.GetInt32(8)), readTime(reader, 18))
                    {
                        WalltimeSeconds = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                        ArrayId = job.ArrayId,
                    },
                };
            }
            jobs.Add(job);
        }
        return (jobs, referenced);
    }

    /// <summary>Adds each row of <see cref="NamedColumns"/> to <paramref name="named"/>.</summary>
    public static async Task ReadNamedAsync(DbDataReader reader, List<ChangedJob> named, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
        {
            named.Add(new ChangedJob(reader.GetInt64(0), Enum.Parse<JobState>(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }
    }

    /// <summary>The rows of <see cref="DecayedUsageQuery"/>; a row of an unknown kind is passed over.</summary>
    public static async Task<Dictionary<(AccountKind, string), DecayedUsage>> ReadDecayedUsageAsync(
        DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var decayed = new Dictionary<(AccountKind, string), DecayedUsage>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (AccountKinds.Parse(reader.GetString(0)) is { } kind)
            {
                decayed[(kind, reader.GetString(1))] = new DecayedUsage(reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), readTime(reader, 5));
            }
        }
        return decayed;
    }

    /// <summary>Rows of a name and a number: the rows of <see cref="ProjectPrioritiesQuery"/>, or of a sum by name.</summary>
    public static async Task<Dictionary<string, T>> ReadByNameAsync<T>(DbDataReader reader, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, T>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            values[reader.GetString(0)] = reader.GetFieldValue<T>(1);
        }
        return values;
    }

    /// <summary>A pending job from a row whose first 16 columns are those of <see cref="JobColumns"/>.</summary>
    private static PendingJob ReadPendingJob(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> readTime)
    {
        var (dependencies, unreadableDependencies) = reader.IsDBNull(13) ? ([], null) : StoredConditions.ParseDependencies(reader.GetString(13));
        var (constraints, unreadableConstraints) = reader.IsDBNull(10) ? ([], null) : StoredConditions.ParseConstraints(reader.GetString(10));
        return new PendingJob(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
            new Resources(reader.GetDouble(4), reader.GetInt64(5), reader.GetInt32(8)), readTime(reader, 6),
            reader.IsDBNull(7) ? null : reader.GetString(7))
        {
            WalltimeSeconds = reader.IsDBNull(9) ? null : reader.GetInt64(9),
            Constraints = constraints,
            PriorityAdjustment = reader.GetInt32(11),
            HeldBy = reader.IsDBNull(12) ? null : reader.GetString(12),
            Dependencies = dependencies,
            ArrayId = reader.IsDBNull(14) ? null : reader.GetInt64(14),
            ArrayMaxRunning = reader.IsDBNull(15) ? null : reader.GetInt32(15),
            Unreadable = unreadableConstraints ?? unreadableDependencies,
        };
    }
}
