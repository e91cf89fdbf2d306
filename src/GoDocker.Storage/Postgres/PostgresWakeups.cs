using GoDocker.Storage.Wakeups;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GoDocker.Storage.Postgres;

/// <summary>
/// Wake-ups across the servers of one database by LISTEN/NOTIFY on one channel, the signal in the payload.
/// A connection of its own listens; when it breaks (the database restarted, the network failed) it is opened
/// again with a growing pause, and once it listens again every subscriber is woken, since signals sent while
/// it was away are lost to it. Signals published here wake this process's subscribers directly (the
/// notification coming back from the database is then ignored).
/// </summary>
public sealed class PostgresWakeups : IWakeups, IAsyncDisposable
{
    private const string Channel = "godocker_wakeups";
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);
    // An idle listener checks its connection this often: a connection cut without a word is found by a query.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(15);

    private readonly WakeupSubscribers subscribers = new();
    // Tells this process's own notifications from the other servers'.
    private readonly string origin = Guid.NewGuid().ToString("N");
    private readonly NpgsqlDataSource database;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private NpgsqlConnection? listener;
    private Task loop = Task.CompletedTask;

    private PostgresWakeups(NpgsqlDataSource database, TimeProvider time, ILogger logger)
    {
        this.database = database;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Listens on <paramref name="database"/> (owned by the caller) before it returns, so no signal published after it is missed.</summary>
    public static async Task<PostgresWakeups> StartAsync(
        NpgsqlDataSource database, TimeProvider time, ILogger<PostgresWakeups> logger, CancellationToken cancellationToken)
    {
        var wakeups = new PostgresWakeups(database, time, logger);
        try
        {
            wakeups.listener = await wakeups.ListenAsync(cancellationToken);
        }
        catch
        {
            wakeups.stopping.Dispose();
            throw;
        }
        wakeups.loop = wakeups.ReceiveAsync();
        return wakeups;
    }

    public IDisposable Subscribe(string signal, Action wake) => subscribers.Add(signal, wake);

    public async ValueTask PublishAsync(string signal, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(signal);
        subscribers.Wake(signal);
        // Twice at most: after a database restart the pool's first connection is a dead one (then discarded).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await NotifyAsync(signal, cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (attempt == 2)
                {
                    // A hint lost, not a fault: the other servers wake all their subscribers when they reconnect.
                    logger.LogWarning("Wake-up {Signal} reached this server only: {Error}", signal, e.Message);
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        if (listener is not null)
        {
            await listener.DisposeAsync();
        }
        stopping.Dispose();
    }

    private async Task NotifyAsync(string signal, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection);
        notify.Parameters.AddWithValue(Channel);
        notify.Parameters.AddWithValue($"{origin}/{signal}");
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += (_, e) => Receive(e.Payload);
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Receive(string payload)
    {
        var slash = payload.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || payload.AsSpan(0, slash).SequenceEqual(origin))
        {
            return;
        }
        subscribers.Wake(payload[(slash + 1)..]);
    }

    private async Task ReceiveAsync()
    {
        var pause = FirstPause;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (listener is null)
                {
                    listener = await ListenAsync(stopping.Token);
                    logger.LogInformation("Listening for wake-ups again; waking every subscriber for what was missed");
                    pause = FirstPause;
                    subscribers.WakeAll();
                }
                if (!await listener.WaitAsync(IdleCheck, stopping.Token))
                {
                    await using var check = new NpgsqlCommand("SELECT 1", listener);
                    await check.ExecuteNonQueryAsync(stopping.Token);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Wake-up listener lost its connection ({Error}); reconnecting in {Pause}", e.Message, pause);
                if (listener is not null)
                {
                    await listener.DisposeAsync();
                    listener = null;
                }
                try
                {
                    await Task.Delay(pause, time, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
    }
}
