using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.UseCases;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// Only silence makes a node down: an engine that does not answer (<see cref="NodeUnreachableException"/>) is unreachable
/// from its first such refresh and down past the site's time; an engine that answers with an error (a failed check, a
/// node its swarm paused) is in error for as long as it lasts — no new jobs, never down, so its running jobs are never
/// given up for lost while their containers run.
/// </summary>
public sealed class NodeRegistryTests : UseCaseTest
{
    private static readonly TimeSpan DownAfter = TimeSpan.FromMinutes(5);

    public static TheoryData<string, Exception?, string, bool, bool> Answers => new()
    {
        { "answers", null, "up", true, false },
        { "does not answer", new NodeUnreachableException("n1", "connection refused"), "down", false, true },
        { "answers with an error", new InvalidOperationException("swarm node n1 is pause in the swarm"), "error", false, false },
        { "fails its shared directory check", new IOException("node n1 does not see the job directories"), "error", false, false },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task AfterTheSitesTime_OnlyANodeThatDoesNotAnswerIsDown(string answer, Exception? failure, string state, bool schedulable, bool down)
    {
        var node = new QuietNode("n1") { Failure = failure };
        using var nodes = new NodeRegistry([node], NodeStates, [], DownAfter, Time, NullLogger<NodeRegistry>.Instance);
        await nodes.RefreshAsync(Ct);
        nodes.MarkRecovered(node);

        Time.Advance(DownAfter + TimeSpan.FromSeconds(10));
        await nodes.RefreshAsync(Ct);
        var status = nodes.StatusOf(node);

        Assert.True(state == status.State, $"{answer}: {status.State}");
        Assert.Equal(schedulable, status.Node.Schedulable);
        Assert.Equal(down, status.DownSince is not null);
        Assert.Equal(down, NodeFailure.IsDown(status.UnreachableSince, DownAfter, Time.GetUtcNow()));
    }

    [Fact]
    public async Task AnAnswerBetweenSilences_StartsTheCountAgain()
    {
        var node = new QuietNode("n1") { Failure = new NodeUnreachableException("n1", "connection refused") };
        using var nodes = new NodeRegistry([node], NodeStates, [], DownAfter, Time, NullLogger<NodeRegistry>.Instance);
        await nodes.RefreshAsync(Ct);
        Time.Advance(TimeSpan.FromMinutes(4));
        node.Failure = new InvalidOperationException("the job network is being made again");
        await nodes.RefreshAsync(Ct);
        node.Failure = new NodeUnreachableException("n1", "connection refused");
        await nodes.RefreshAsync(Ct);
        var silentSince = Time.GetUtcNow();

        Time.Advance(TimeSpan.FromMinutes(2));
        var status = nodes.StatusOf(node);

        Assert.Equal(("unreachable", silentSince), (status.State, status.UnreachableSince));
        Assert.Null(status.DownSince);
    }

    [Fact]
    public async Task ProbeDrainAndResume_SayDownAsStatusOfDoes()
    {
        var node = new QuietNode("n1") { Failure = new NodeUnreachableException("n1", "connection refused") };
        using var nodes = new NodeRegistry([node], NodeStates, [], DownAfter, Time, NullLogger<NodeRegistry>.Instance);
        await nodes.RefreshAsync(Ct);
        Time.Advance(DownAfter);

        var probed = await nodes.ProbeAsync(node, Ct);
        var drained = await nodes.DrainAsync("n1", "admin", Ct);
        var resumed = await nodes.ResumeAsync("n1", "admin", Ct);

        Assert.All([probed, drained!, resumed!], s => Assert.Equal(nodes.StatusOf(node).DownSince, s.DownSince));
        Assert.NotNull(probed.DownSince);
        Assert.Equal(("down", "drained", "down"), (probed.State, drained!.State, resumed!.State));
    }
}
