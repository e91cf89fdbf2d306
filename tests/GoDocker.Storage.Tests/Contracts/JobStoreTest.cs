using GoDocker.Jobs;
using GoDocker.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// The job store under test on a fresh database of its <see cref="IJobStoreProvider"/> (a SQLite file, a PostgreSQL
/// database) and a fake clock, plus the few moves every test needs. The contracts derive from it; each store runs them
/// through a one-line subclass per contract.
/// Jobs reach states the way the server moves them: plans for scheduling, transitions for the rest.
/// </summary>
public abstract class JobStoreTest(IJobStoreProvider provider) : IAsyncLifetime
{
    protected const long GiB = 1L << 30;
    protected static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Two nodes of 4 cpus and 16 GiB.</summary>
    protected static readonly IReadOnlyList<NodeInfo> Nodes = [new("n1", new Resources(4, 16 * GiB, 0)), new("n2", new Resources(4, 16 * GiB, 0))];

    /// <summary>The stores' default fair-share half-life, which the tests leave as it is.</summary>
    protected static readonly TimeSpan UsageHalfLife = TimeSpan.FromDays(7);

    protected IJobStoreProvider Provider { get; } = provider;
    protected FakeTimeProvider Time { get; } = new(Start);
    protected IJobStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await Provider.OpenAsync(Time);

    public async Task DisposeAsync()
    {
        await Provider.CloseAsync(Store);
        await Provider.DisposeAsync();
    }

    /// <summary>Closes the store and opens it again on the same database, as a restarted server does.</summary>
    protected async Task ReopenAsync()
    {
        await Provider.CloseAsync(Store);
        Store = await Provider.OpenAsync(Time);
    }

    protected async Task<string> GetOrCreateMetaAsync(string key, Func<string> create) => await Provider.GetOrCreateMetaAsync(Store, key, create);

    protected async Task<Job> SubmitAsync(SpecBuilder spec, string owner = "alice") => await Store.SubmitAsync(spec.Build(), owner, Ct);

    protected async Task<Job> SubmitAsync(string owner = "alice") => await SubmitAsync(SpecBuilder.ASpec(), owner);

    protected async Task<Job> GetAsync(long id) => await Store.GetAsync(id, Ct) ?? throw new KeyNotFoundException($"job {id}");

    protected async Task<Job> GetAsync(Job job) => await GetAsync(job.Id);

    protected async Task<string[]> EventKindsAsync(Job job) => [.. (await Store.GetEventsAsync(job.Id, Ct)).Select(e => e.Kind)];

    protected static Placement Place(Job job, string node) => new(job.Id, job.Version, node, job.Spec.Resources);

    protected static Plan PlanOf(params Placement[] placements) => new(placements, new Dictionary<long, string>());

    protected async Task<IReadOnlyList<AppliedPlacement>> ApplyAsync(params Placement[] placements) =>
        await Store.ApplyPlanAsync(PlanOf(placements), Nodes, Ct);

    /// <summary>Through a one-placement plan, as the scheduler does.</summary>
    protected async Task<Job> ScheduleAsync(Job job, string node = "n1")
    {
        Assert.Single(await ApplyAsync(Place(job, node)));
        return await GetAsync(job);
    }

    protected async Task<Job> MoveAsync(Job job, JobState to, string kind = "moved") =>
        await Store.TransitionAsync(new JobChange(job.Id, job.Version, to, kind, $"to {to}"), Ct);

    protected async Task<Job> StartAsync(Job scheduled) =>
        await Store.TransitionAsync(new JobChange(scheduled.Id, scheduled.Version, JobState.Running, "started", "container started")
        {
            ContainerId = $"container-{scheduled.Id}",
            StartedAt = Time.GetUtcNow(),
        }, Ct);

    /// <summary>Submits and moves a job to <paramref name="state"/> along the usual path.</summary>
    protected async Task<Job> JobInStateAsync(JobState state, SpecBuilder? spec = null, string node = "n1")
    {
        var job = await SubmitAsync(spec ?? SpecBuilder.ASpec());
        if (state is JobState.Pending)
        {
            return job;
        }
        if (state is JobState.Killed or JobState.Rejected)
        {
            return await MoveAsync(job, state);
        }
        job = await ScheduleAsync(job, node);
        if (state is JobState.Scheduled)
        {
            return job;
        }
        job = await StartAsync(job);
        return state switch
        {
            JobState.Running => job,
            JobState.Suspended or JobState.Succeeded or JobState.Failed => await MoveAsync(job, state),
            JobState.Archived => await MoveAsync(await MoveAsync(job, JobState.Succeeded), JobState.Archived),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
    }
}
