using System.Collections.Concurrent;

namespace GoDocker.Server.Auth;

/// <summary>
/// Counts failed logins per login and per client address in a sliding window; past the limit, further
/// attempts are refused (429) without checking the password, whether the login exists or not.
/// </summary>
public sealed class LoginThrottle(AuthOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> failures = new();

    public bool IsBlocked(string login, string client) => Count("login:" + login) >= options.MaxFailedLogins || Count("addr:" + client) >= options.MaxFailedLogins * 4;

    public void RecordFailure(string login, string client)
    {
        Add("login:" + login);
        Add("addr:" + client);
    }

    private int Count(string key)
    {
        if (!failures.TryGetValue(key, out var queue))
        {
            return 0;
        }
        lock (queue)
        {
            var since = time.GetUtcNow() - options.FailedLoginWindow;
            while (queue.Count > 0 && queue.Peek() < since)
            {
                queue.Dequeue();
            }
            return queue.Count;
        }
    }

    private void Add(string key)
    {
        var queue = failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            queue.Enqueue(time.GetUtcNow());
        }
    }
}
