using Npgsql;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>A test class's PostgreSQL database, dropped at its end.</summary>
public static class TestDatabases
{
    /// <summary>
    /// DROP DATABASE … WITH (FORCE), tried again for a while when a backend the test role may not terminate is on it:
    /// after a busy test (FailoverTests' 1,000 jobs) an autovacuum worker, a superuser's backend, may be vacuuming the
    /// database, and FORCE then fails with 42501 instead of waiting. The worker leaves within seconds.
    /// </summary>
    public static async Task DropAsync(NpgsqlDataSource server, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
