using System.Collections.Concurrent;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// The leader's work runs only while the lease is held, one term at a time: a lost renewal cancels it and waits for it
/// before competing again; a new term runs it again from the start; a server that never gets the lease never runs it.
/// </summary>
public sealed class LeaderElectionTests
{
    [Fact]
    public async Task ALostLease_EndsTheTermsWork_BeforeANewTermRunsItAgain()
    {
        var lease = new ScriptedLease { Grant = true };
        var work = new RecordingWork();
        using var election = Election(lease, work);

        await election.StartAsync(CancellationToken.None);
        await work.WaitForStartsAsync(1);
        Assert.Equal(1, election.Current?.Token);
        lease.LoseOnNextRenewal = true; // another server took over
        await work.WaitForStartsAsync(2);   // this one got it back later, with a new token
        await election.StopAsync(CancellationToken.None);

        Assert.Equal(["start 1", "end 1", "start 2", "end 2"], work.Log);
        Assert.Null(election.Current);
        Assert.Contains(2L, lease.Released); // a clean stop hands the lease over at once
    }

    [Fact]
    public async Task AServerThatNeverGetsTheLease_NeverRunsTheWork()
    {
        var lease = new ScriptedLease { Grant = false };
        var work = new RecordingWork();
        using var election = Election(lease, work);

        await election.StartAsync(CancellationToken.None);
        await lease.WaitForAttemptsAsync(2);
        await election.StopAsync(CancellationToken.None);

        Assert.Empty(work.Log);
        Assert.Null(election.Current);
    }

    private static LeaderElection Election(ScriptedLease lease, RecordingWork work) =>
        new(lease, [work], TimeProvider.System,
            Options.Create(new GoDockerOptions { Cluster = new ClusterOptions { LeaseTime = TimeSpan.FromMilliseconds(300) } }),
            NullLogger<LeaderElection>.Instance);

    private sealed class ScriptedLease : ILeaderLease
    {
        private long token;
        private int attempts;
        public bool Grant { get; set; }
        public volatile bool LoseOnNextRenewal;
        public ConcurrentBag<long> Released { get; } = [];
        public string Holder => "me";

        public ValueTask<Leadership?> TryAcquireAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref attempts);
            return ValueTask.FromResult(Grant ? new Leadership("scheduler", Holder, Interlocked.Increment(ref token), DateTimeOffset.UtcNow.AddSeconds(1)) : null);
        }

        public ValueTask<Leadership?> RenewAsync(Leadership held, CancellationToken cancellationToken)
        {
            if (LoseOnNextRenewal)
            {
                LoseOnNextRenewal = false;
                return ValueTask.FromResult<Leadership?>(null);
            }
            return ValueTask.FromResult<Leadership?>(held with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(1) });
        }

        public ValueTask ReleaseAsync(Leadership held, CancellationToken cancellationToken)
        {
            Released.Add(held.Token);
            return ValueTask.CompletedTask;
        }

        public ValueTask<Leadership?> CurrentAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Leadership?>(null);

        public async Task WaitForAttemptsAsync(int count)
        {
            for (var i = 0; i < 100 && Volatile.Read(ref attempts) < count; i++)
            {
                await Task.Delay(50);
            }
            Assert.True(Volatile.Read(ref attempts) >= count, $"only {attempts} attempts to take the lease");
        }
    }

    private sealed class RecordingWork : ILeaderWork
    {
        private readonly Lock gate = new();
        private int starts;
        public List<string> Log { get; } = [];
        public string Name => "recording";

        public async Task RunAsync(Leadership term, CancellationToken stoppingToken)
        {
            lock (gate)
            {
                Log.Add($"start {term.Token}");
                starts++;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            finally
            {
                lock (gate)
                {
                    Log.Add($"end {term.Token}");
                }
            }
        }

        public async Task WaitForStartsAsync(int count)
        {
            for (var i = 0; i < 100 && Volatile.Read(ref starts) < count; i++)
            {
                await Task.Delay(50);
            }
            Assert.True(Volatile.Read(ref starts) >= count, $"the work started {starts} times, not {count}");
        }
    }
}
