using Npgsql;

namespace GoDocker.Storage.Postgres;

/// <summary>Parameterised commands ($1, $2, … in order), the one way the PostgreSQL stores build SQL (never by concatenating values).</summary>
internal static class PostgresCommands
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values) => Command(connection, null, sql, values);

    public static NpgsqlCommand Command(NpgsqlTransaction tx, string sql, params object?[] values) => Command(tx.Connection!, tx, sql, values);

    /// <summary>
    /// A time as both stores keep it: whole milliseconds (SQLite stores unix milliseconds), in UTC (the only
    /// offset Npgsql writes to timestamptz).
    /// </summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value switch
            {
                null => DBNull.Value,
                DateTimeOffset at => Stored(at),
                _ => value,
            } });
        }
        return command;
    }
}
