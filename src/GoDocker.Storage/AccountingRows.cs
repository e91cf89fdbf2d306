using System.Data.Common;
using GoDocker.Execution;
using GoDocker.Usage;

namespace GoDocker.Storage;

/// <summary>
/// The rows of the accounting table as both stores write and read them: the same columns in the same order, times as
/// each store keeps one (SQLite: unix milliseconds; PostgreSQL: timestamptz), passed in by the store.
/// </summary>
internal static class AccountingRows
{
    /// <summary>The columns <see cref="ValuesOf"/> gives and <see cref="Read"/> reads, in their order.</summary>
    public const string Columns =
        "job_id, array_id, name, owner, project, attempt, state, end_cause, reason, exit_code, node, submitted_at, started_at, ended_at, "
        + "cpus, memory_bytes, gpus, cpu_seconds, max_rss_bytes, max_pids, block_read_bytes, block_write_bytes, net_received_bytes, "
        + "net_sent_bytes, samples, last_sample_at";

    public const int ColumnCount = 26;

    /// <summary>The values of <see cref="Columns"/> for <paramref name="record"/>, each time as <paramref name="time"/> stores it.</summary>
    public static object?[] ValuesOf(AccountingRecord record, Func<DateTimeOffset, object> time)
    {
        var measured = record.Measured;
        return
        [
            record.JobId, record.ArrayId, record.Name, record.Owner, record.Project, record.Attempt, record.State.ToString(),
            record.Cause?.ToString(), record.Reason, record.ExitCode, record.Node, time(record.SubmittedAt),
            record.StartedAt is { } started ? time(started) : null, time(record.EndedAt), record.Cpus, record.MemoryBytes, record.Gpus,
            measured?.CpuSeconds, measured?.MaxRssBytes, measured?.MaxPids, measured?.BlockReadBytes, measured?.BlockWriteBytes,
            measured?.NetworkReceivedBytes, measured?.NetworkSentBytes, measured?.Samples,
            measured is null ? null : time(measured.LastSampleAt),
        ];
    }

    /// <summary>The record of the current row of <see cref="Columns"/>.</summary>
    public static AccountingRecord Read(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> readTime)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new AccountingRecord
        {
            JobId = reader.GetInt64(0),
            ArrayId = reader.IsDBNull(1) ? null : reader.GetInt64(1),
            Name = reader.GetString(2),
            Owner = reader.GetString(3),
            Project = reader.GetString(4),
            Attempt = reader.GetInt32(5),
            State = Enum.Parse<AccountedState>(reader.GetString(6)),
            Cause = Text(7) is { } cause && Enum.TryParse<EndCause>(cause, out var known) ? known : null,
            Reason = Text(8),
            ExitCode = reader.IsDBNull(9) ? null : reader.GetInt32(9),
            Node = Text(10),
            SubmittedAt = readTime(reader, 11),
            StartedAt = reader.IsDBNull(12) ? null : readTime(reader, 12),
            EndedAt = readTime(reader, 13),
            Cpus = reader.GetDouble(14),
            MemoryBytes = reader.GetInt64(15),
            Gpus = reader.GetInt32(16),
            Measured = reader.IsDBNull(17) ? null : new MeasuredUsage(
                reader.GetDouble(17), reader.GetInt64(18), reader.GetInt64(19), reader.GetInt64(20), reader.GetInt64(21),
                reader.GetInt64(22), reader.GetInt64(23), reader.GetInt32(24), readTime(reader, 25)),
        };
    }
}
