using System.Text;
using GoDocker.Usage;
using Microsoft.Data.Sqlite;
using static GoDocker.Storage.Sqlite.SqliteCommands;

namespace GoDocker.Storage.Sqlite;

/// <summary>The accounting table of the SQLite store: a record kept in a change's transaction, and the history read.</summary>
internal static class SqliteAccounting
{
    private static readonly string Insert =
        $"INSERT INTO accounting ({AccountingRows.Columns}) VALUES ({string.Join(", ", Enumerable.Range(0, AccountingRows.ColumnCount).Select(i => $"$p{i}"))})";

    public static async Task InsertAsync(SqliteTransaction tx, AccountingRecord record, CancellationToken cancellationToken)
    {
        var values = AccountingRows.ValuesOf(record, at => at.ToUnixTimeMilliseconds());
        await using var insert = Command(tx, Insert, [.. values.Select((value, i) => ($"$p{i}", value))]);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The page and the total from one read transaction.</summary>
    public static async Task<AccountingPage> ListAsync(SqliteConnection connection, AccountingQuery query, CancellationToken cancellationToken)
    {
        var where = new StringBuilder(" WHERE 1=1");
        var parameters = new List<(string, object?)>();
        void In(string column, string prefix, IReadOnlyList<object> values)
        {
            where.Append(" AND ").Append(column).Append(" IN (");
            for (var i = 0; i < values.Count; i++)
            {
                where.Append(i == 0 ? "" : ", ").Append('$').Append(prefix).Append(i);
                parameters.Add(($"${prefix}{i}", values[i]));
            }
            where.Append(')');
        }
        if (query.States is { Count: > 0 } states)
        {
            In("state", "s", [.. states.Select(s => (object)s.ToString())]);
        }
        if (query.JobIds is { Count: > 0 } ids)
        {
            In("job_id", "j", [.. ids.Select(id => (object)id)]);
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
        if (query.Since is { } since)
        {
            where.Append(" AND ended_at >= $since");
            parameters.Add(("$since", since.ToUnixTimeMilliseconds()));
        }
        if (query.Until is { } until)
        {
            where.Append(" AND ended_at < $until");
            parameters.Add(("$until", until.ToUnixTimeMilliseconds()));
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
        await using var tx = connection.BeginTransaction(deferred: true);
        await using var count = Command(tx, "SELECT COUNT(*) FROM accounting" + where, [.. parameters]);
        var total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        var items = new List<AccountingRecord>();
        if (query.Limit > 0)
        {
            parameters.Add(("$limit", query.Limit));
            parameters.Add(("$offset", query.Offset));
            await using var list = Command(tx, $"SELECT {AccountingRows.Columns} FROM accounting{where} ORDER BY job_id, seq LIMIT $limit OFFSET $offset", [.. parameters]);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(AccountingRows.Read(reader, (r, i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i))));
            }
        }
        return new AccountingPage(items, total);
    }
}
