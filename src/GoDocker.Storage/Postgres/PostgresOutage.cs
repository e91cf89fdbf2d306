using System.Net.Sockets;
using Npgsql;

namespace GoDocker.Storage.Postgres;

/// <summary>
/// Tells a database that is away (restarting, shutting down, not reachable) from a fault of the request: the first is
/// answered "try again soon", the second is a defect. Nothing of a request that failed this way was committed.
/// </summary>
public static class PostgresOutage
{
    /// <summary>True when <paramref name="exception"/>, or one it wraps, says the database could not be reached or went away.</summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now (starting up).
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03":
                    return true;
                case PostgresException:
                    return false;
                // Refused, reset or timed out on the way (the pool's connect, a read on a connection the server closed).
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }
        return false;
    }
}
