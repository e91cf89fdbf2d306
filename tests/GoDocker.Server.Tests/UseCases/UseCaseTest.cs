using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Server.Tests.UseCases;

/// <summary>
/// The use cases over a real SQLite store in a fresh temp folder, a fake clock and no node (the executor side is not
/// under test): configuration as the server checks it, callers built directly.
/// </summary>
public abstract class UseCaseTest : IAsyncLifetime
{
    protected static readonly CancellationToken Ct = CancellationToken.None;
    protected static readonly Caller Admin = new("root-admin", true, new HashSet<string>(), new HashSet<string>());
    protected static readonly Caller Alice = User("alice");
    protected static readonly Caller Bob = User("bob");

    private readonly string directory = Path.Combine(Path.GetTempPath(), "godocker-usecase-tests-" + Guid.NewGuid().ToString("N"));
    private SqliteAccountStore accounts = null!;
    private SqliteNodeStateStore nodeStates = null!;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    protected SqliteJobStore Store { get; private set; } = null!;
    /// <summary>The SQLite file the stores share (for a store a test opens on it).</summary>
    protected string DatabasePath => Path.Combine(directory, "godocker.db");
    protected IAccountStore Accounts => accounts;
    protected INodeStateStore NodeStates => nodeStates;
    protected StopRequests StopRequests { get; private set; } = null!;
    protected GoDockerOptions Settings { get; private set; } = null!;
    protected AccessPolicy Policy { get; set; } = new();
    protected SchedulerTrigger Scheduler { get; } = new(new GoDocker.Storage.Wakeups.InProcessWakeups());

    /// <summary>Configuration keys the test sets (Section:Key = value), checked as the server checks them.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "godocker.db");
        Store = await SqliteJobStore.OpenAsync(database, Time, Ct);
        accounts = await SqliteAccountStore.OpenAsync(database, Time, Ct);
        nodeStates = await SqliteNodeStateStore.OpenAsync(database, Ct);
        var check = ConfigurationCheck.Run(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>(Configuration) { ["Server:DataDir"] = directory })
            .Build());
        Assert.Empty(check.Problems);
        Settings = check.Settings;
        StopRequests = new StopRequests(Store);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await accounts.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    protected static Caller User(string login, params string[] managedProjects) =>
        new(login, false, new HashSet<string>(), managedProjects.ToHashSet());

    /// <param name="auth">The authentication settings (default: none, jobs run as the server's local user).</param>
    protected JobSubmission Submission(AuthOptions? auth = null) => new(
        Store, accounts, Policy, Nodes(), new PendingCounts(Store, Time), new AccountLimitsCache(Store, Time, Options.Create(Settings)),
        Scheduler, auth ?? new AuthOptions(), Options.Create(Settings), Metrics);

    /// <summary>The instruments the use cases count in (a registry of their own per test).</summary>
    protected GoDocker.Server.Monitoring.ServerMetrics Metrics { get; } = new("test");

    protected JobControl Control() => new(
        Store, Policy, StopRequests, Nodes(), new OwnPauses(), Scheduler, Time, NullLogger<JobControl>.Instance);

    protected UsageReport Usage() => new(Store, Time, Options.Create(Settings));

    private NodeRegistry Nodes() => new([], nodeStates, [], TimeSpan.FromMinutes(5), Time, NullLogger<NodeRegistry>.Instance);

    protected static JobSpec ASpec(string name = "job") => new() { Name = name, Command = ["true"] };

    /// <summary>Submits through the use case and returns the job it stored.</summary>
    protected async Task<Job> SubmittedAsync(Caller caller, JobSpec? spec = null) =>
        Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(caller, spec ?? ASpec(), null, Ct)).First;

    /// <summary>A job of <paramref name="caller"/> Running in a container, the way the scheduler and the executor move it.</summary>
    protected async Task<Job> RunningAsync(Caller caller)
    {
        var job = await SubmittedAsync(caller);
        var placed = await Store.ApplyPlanAsync(
            new GoDocker.Scheduling.Plan([new(job.Id, job.Version, "n1", job.Spec.Resources)], new Dictionary<long, string>()),
            [new GoDocker.Scheduling.NodeInfo("n1", new GoDocker.Jobs.Resources(4, 16L << 30, 0))], Ct);
        Assert.Single(placed);
        var scheduled = await Store.GetAsync(job.Id, Ct) ?? throw new KeyNotFoundException();
        return await Store.TransitionAsync(new JobChange(job.Id, scheduled.Version, JobState.Running, "started", "container started")
        {
            ContainerId = $"container-{job.Id}",
            StartedAt = Time.GetUtcNow(),
        }, Ct);
    }

    protected async Task<Job> GetAsync(long id) => await Store.GetAsync(id, Ct) ?? throw new KeyNotFoundException($"job {id}");
}
