using System.Data;
using System.Text;
using GoDocker.Usage;
using Npgsql;
using static GoDocker.Storage.Postgres.PostgresCommands;

namespace GoDocker.Storage.Postgres;

/// <summary>The accounting table of the PostgreSQL store: a record kept in a change's transaction, and the history read.</summary>
internal static class PostgresAccounting
{
    private static readonly string Insert =
        $"INSERT INTO accounting ({AccountingRows.Columns}) VALUES ({string.Join(", ", Enumerable.Range(1, AccountingRows.ColumnCount).Select(i => $"${i}"))})";

    public static async Task InsertAsync(NpgsqlTransaction tx, AccountingRecord record, CancellationToken cancellationToken)
    {
        await using var insert = Command(tx, Insert, AccountingRows.ValuesOf(record, at => at));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The page and the total from one snapshot.</summary>
    public static async Task<AccountingPage> ListAsync(NpgsqlConnection connection, AccountingQuery query, CancellationToken cancellationToken)
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
        if (query.JobIds is { Count: > 0 } ids)
        {
            where.Append(" AND job_id = ANY(").Append(Value(ids.ToArray())).Append(')');
        }
        if (query.Owner is not null)
        {
            where.Append(" AND owner = ").Append(Value(query.Owner));
        }
        if (query.Project is not null)
        {
            where.Append(" AND project = ").Append(Value(query.Project));
        }
        if (query.Since is { } since)
        {
            where.Append(" AND ended_at >= ").Append(Value(since));
        }
        if (query.Until is { } until)
        {
            where.Append(" AND ended_at < ").Append(Value(until));
        }
        if (query.VisibleTo is { } visible)
        {
            where.Append(" AND (owner = ").Append(Value(visible.Login))
                .Append(" OR project = ANY(").Append(Value(visible.Projects.ToArray())).Append("))");
        }
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var count = Command(tx, "SELECT COUNT(*) FROM accounting" + where, [.. values]);
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        var items = new List<AccountingRecord>();
        if (query.Limit > 0)
        {
            var limit = Value(query.Limit);
            var offset = Value(query.Offset);
            await using var list = Command(tx, $"SELECT {AccountingRows.Columns} FROM accounting{where} ORDER BY job_id, seq LIMIT {limit} OFFSET {offset}", [.. values]);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(AccountingRows.Read(reader, (r, i) => r.GetFieldValue<DateTimeOffset>(i)));
            }
        }
        await tx.CommitAsync(cancellationToken);
        return new AccountingPage(items, total);
    }
}
