using System.Diagnostics;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// Waiting in a test for what another process does: a condition polled until it holds, failing the test past a generous
/// deadline (liveness only; how fast is measured by bench/, never asserted).
/// </summary>
internal static class Until
{
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => TrueAsync(condition, timeout, () => what);

    /// <summary><paramref name="what"/> is asked for when the deadline passes, so it can say what was last seen.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < timeout, $"waited {timeout.TotalSeconds} s for {what()}");
            await Task.Delay(200);
        }
    }

    /// <summary>The leader <paramref name="server"/> names, once it names one <paramref name="accept"/> takes (any, by default).</summary>
    public static async Task<string> LeaderAsync(ServerProcess server, Func<string, bool>? accept = null)
    {
        string? leader = null;
        await TrueAsync(async () => (leader = (await server.Api.HealthAsync()).Leader) is { } id && (accept?.Invoke(id) ?? true), TimeSpan.FromSeconds(60), "a leader");
        return leader!;
    }
}
