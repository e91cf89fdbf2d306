using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.Services;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.Dispatch;
using GoDocker.Storage.JobDirectories;
using GoDocker.Storage.Leases;
using GoDocker.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.UseCases;

/// <summary>
/// `godocker priority` on any server: the leader answers from its last cycle's board; a server that does not lead
/// (a standby on the shared database: no board) ranks the store with the same order and gets the same answer.
/// The cycle is the real scheduler's over a SQLite store, with fair share, usage, user priorities, an adjustment and
/// the job-size factor (a node whose capacity is known but which takes no job yet, so every job stays pending).
/// </summary>
public sealed class JobStandingTests : UseCaseTest
{
    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Scheduler:Policy"] = "fairshare",
        ["Scheduler:FairShare:WeightJobSize"] = "500",
        ["Server:MinFreeSpace"] = "0",
    };

    [Fact]
    public async Task AServerThatDoesNotLead_RanksTheStore_AndAnswersAsTheLeadersBoard()
    {
        var nodes = await NodesAsync();
        var pending = await QueueAsync();
        var leader = await LeadingAsync(nodes);
        var standby = Standing(nodes, new SchedulerBoard(), Election());
        await leader.Service.RunOnceAsync(new Leadership("scheduler", "test", 1, Time.GetUtcNow().AddMinutes(1)), Ct);

        var fromBoard = new List<string>();
        var computed = new List<string>();
        foreach (var job in pending)
        {
            fromBoard.Add(Json(await leader.Standing.OfAsync(Admin, job.Id, Ct)));
            computed.Add(Json(await standby.OfAsync(Admin, job.Id, Ct)));
        }
        await leader.Election.StopAsync(Ct);

        Assert.Equal(fromBoard, computed);
        var views = fromBoard.Select(j => JsonSerializer.Deserialize(j, GoDockerJson.Default.PriorityView)!).ToList();
        Assert.Equal(Enumerable.Range(1, pending.Count).ToHashSet(), views.Select(v => v.Position).ToHashSet());
        Assert.All(views, v => Assert.Equal(pending.Count, v.Pending));
        Assert.Equal(views.Count, views.Select(v => v.Priority).Distinct().Count()); // every factor told them apart
        Assert.Contains(views, v => v.Reason?.Contains("recovering", StringComparison.Ordinal) == true); // the cycle's reasons, kept
    }

    [Fact]
    public async Task AJobSubmittedAfterTheKeptRanking_IsRankedAtOnce_AndOthersShareTheKeptOne()
    {
        var nodes = await NodesAsync();
        var first = await SubmittedAsync(Alice);
        var standby = Standing(nodes, new SchedulerBoard(), Election());
        var alone = Assert.IsType<StandingOutcome.Standing>(await standby.OfAsync(Alice, first.Id, Ct)).View;

        var second = await SubmittedAsync(Bob);
        var later = Assert.IsType<StandingOutcome.Standing>(await standby.OfAsync(Bob, second.Id, Ct)).View;
        var firstAgain = Assert.IsType<StandingOutcome.Standing>(await standby.OfAsync(Alice, first.Id, Ct)).View;

        Assert.Equal((1, 1), (alone.Position, alone.Pending));
        Assert.Equal(2, later.Pending);
        Assert.Equal(2, firstAgain.Pending); // the ranking read for the new job is the one kept now
        Assert.Equal(FairShareOrder.PolicyName, later.Policy);
    }

    [Fact]
    public async Task AJobNotPending_OrNotTheCallers_IsRefused()
    {
        var nodes = await NodesAsync();
        var running = await RunningAsync(Alice);
        var pending = await SubmittedAsync(Alice);
        var standby = Standing(nodes, new SchedulerBoard(), Election());

        Assert.IsType<StandingOutcome.NotPending>(await standby.OfAsync(Alice, running.Id, Ct));
        Assert.IsType<StandingOutcome.NotFound>(await standby.OfAsync(Bob, pending.Id, Ct));
        Assert.IsType<StandingOutcome.NotFound>(await standby.OfAsync(Admin, pending.Id + 100, Ct));
    }

    /// <summary>
    /// Pending jobs that every factor tells apart: submitted at different times, by users with usage (finished and
    /// running jobs), one with a user priority, one larger, one with an administrator's adjustment, one held.
    /// </summary>
    private async Task<List<Job>> QueueAsync()
    {
        await Store.SetLimitsAsync(new AccountLimits(AccountKind.User, "carol", 2, 5, new Quota()), Ct);
        var done = await RunningAsync(Alice);
        Time.Advance(TimeSpan.FromHours(2));
        await Store.TransitionAsync(new JobChange(done.Id, (await GetAsync(done.Id)).Version, JobState.Succeeded, "succeeded", "exit 0")
        {
            EndedAt = Time.GetUtcNow(),
            ExitCode = 0,
        }, Ct);
        await RunningAsync(Bob);
        var pending = new List<Job>();
        foreach (var (caller, cpus) in new[] { (Alice, 1.0), (Bob, 1.0), (User("carol"), 1.0), (Alice, 3.0), (Bob, 2.0) })
        {
            Time.Advance(TimeSpan.FromMinutes(7));
            pending.Add(await SubmittedAsync(caller, ASpec() with { Cpus = cpus }));
        }
        Assert.IsType<ControlOutcome.Done>(await Control().SetPriorityAsync(Admin, pending[1].Id, 40, Ct));
        Assert.IsType<ControlOutcome.Done>(await Control().HoldAsync(Alice, pending[0].Id, Ct));
        Time.Advance(TimeSpan.FromMinutes(30));
        return pending;
    }

    private static string Json(StandingOutcome outcome) =>
        JsonSerializer.Serialize(Assert.IsType<StandingOutcome.Standing>(outcome).View, GoDockerJson.Default.PriorityView);

    /// <summary>A node whose capacity is read (it counts for the job-size factor) but which has not recovered: it takes no job.</summary>
    private async Task<NodeRegistry> NodesAsync()
    {
        var nodes = new NodeRegistry([new QuietNode("n1", new Resources(8, 32L << 30, 0))], NodeStates, [], TimeSpan.FromMinutes(5), Time, NullLogger<NodeRegistry>.Instance);
        await nodes.RefreshAsync(Ct);
        Assert.Equal(8, Assert.Single(nodes.Nodes).Capacity.Cpus);
        return nodes;
    }

    private async Task<(JobStanding Standing, SchedulerService Service, LeaderElection Election)> LeadingAsync(NodeRegistry nodes)
    {
        var board = new SchedulerBoard();
        var election = Election();
        await election.StartAsync(Ct);
        for (var i = 0; election.Current is null; i++)
        {
            Assert.True(i < 300, "the in-process lease was never taken");
            await Task.Delay(10);
        }
        var order = new FairShareOrder(Settings.Scheduler.FairShare.ToOptions());
        var cycle = new SchedulingCycle(order, SchedulingCycle.StandardAdmissions, SchedulingCycle.StandardFilters, new SpreadScorer(), new CycleOptions());
        var service = new SchedulerService(
            Store, new InProcessDispatchQueue(Time, TimeSpan.FromMinutes(2)), cycle, nodes, Scheduler, board,
            new FreeSpaceFloor(new JobDirectory(Path.Combine(Settings.Server.DataDir, "jobs")), "0"), Time, Options.Create(Settings),
            new GoDocker.Server.Monitoring.ServerMetrics("test"), NullLogger<SchedulerService>.Instance);
        return (Standing(nodes, board, election, order), service, election);
    }

    private LeaderElection Election() =>
        new(new InProcessLeaderLease("scheduler", "test"), [], Time, Options.Create(Settings), NullLogger<LeaderElection>.Instance);

    private JobStanding Standing(NodeRegistry nodes, SchedulerBoard board, LeaderElection election, IQueueOrder? order = null) =>
        new(Store, Policy, order ?? new FairShareOrder(Settings.Scheduler.FairShare.ToOptions()), board, Scheduler, election, nodes, Time, Options.Create(Settings));
}
