using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// A pending job's standing in the queue, as Slurm's sprio shows it: its priority and factors, its position among the
/// pending jobs, how many wait, when it is expected to start and why it waits. On the server that leads, the standing
/// is the one the last scheduling cycle gave it (<see cref="SchedulerBoard"/>). Any other server (a standby on the
/// shared database), or the leader for a job its board does not have (submitted since, or a cycle that ranked
/// nothing: the job directories' disk is short), ranks a snapshot of the store with the scheduler's own order
/// (<see cref="IQueueOrder"/> over the snapshot <see cref="SchedulerService.SnapshotOf"/> builds), so it answers
/// what the leader would for the same input. That ranking is kept for <see cref="SchedulerOptions.Interval"/> after
/// it was made (the leader's board is no fresher), or twice as long as it took when that is longer (as the
/// scheduler's gap after a long cycle: ranking a deep queue takes at most about a third of a cpu), and shared by
/// concurrent requests: many sprio calls on a standby over a deep queue cost one read of it per interval, not one each.
/// </summary>
public sealed class JobStanding(
    IJobStore store,
    IAccessPolicy policy,
    IQueueOrder order,
    SchedulerBoard board,
    SchedulerTrigger scheduler,
    LeaderElection election,
    NodeRegistry nodes,
    TimeProvider time,
    IOptions<GoDockerOptions> options)
{
    /// <summary>How long the leader waits for a cycle to rank a job its board does not have yet, before ranking the store itself.</summary>
    private static readonly TimeSpan BoardWait = TimeSpan.FromSeconds(3);
    private readonly Lock gate = new();
    private Computing? computing;
    // Store rankings started so far: one numbered above a request's count started after the request read its job.
    private long reads;

    /// <summary>The standing of job <paramref name="id"/>, as far as <paramref name="caller"/> may see it.</summary>
    public async Task<StandingOutcome> OfAsync(Caller caller, long id, CancellationToken cancellationToken)
    {
        // Counted before the job is read: a ranking started after this has the job if it is still pending.
        var asked = Interlocked.Read(ref reads);
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || !policy.CanSee(caller, job))
        {
            return new StandingOutcome.NotFound(id);
        }
        if (job.State != JobState.Pending)
        {
            return new StandingOutcome.NotPending($"job {id} is {job.State}: priority applies to pending jobs");
        }
        var found = election.Current is not null ? await FromBoardAsync(id, cancellationToken) : null;
        found ??= await ComputedAsync(id, asked, cancellationToken);
        if (found is not { } standing)
        {
            return new StandingOutcome.NotPending($"job {id} is no longer pending: priority applies to pending jobs");
        }
        return new StandingOutcome.Standing(View(job, standing.Ranked, standing.Position, standing.Pending, standing.Policy));
    }

    /// <summary>
    /// The job as this leader's last cycle ranked it; for a job ranked by none yet, a cycle is asked for and awaited
    /// (until one that started after the ask has published, at most <see cref="BoardWait"/>). Null when none ranks it.
    /// </summary>
    private async Task<Place?> FromBoardAsync(long id, CancellationToken cancellationToken)
    {
        var found = board.Find(id);
        // The cycle running now may have read the store before the job was there: the one after it has read it.
        var enough = board.Cycles + 2;
        for (var waited = TimeSpan.Zero; found is null && waited < BoardWait && board.Cycles < enough && election.Current is not null;
             waited += TimeSpan.FromMilliseconds(100))
        {
            scheduler.PokeNow();
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            found = board.Find(id);
        }
        return found is { } entry ? new Place(entry.Ranked, entry.Position, entry.Pending, entry.Policy) : null;
    }

    /// <summary>
    /// The job in the kept ranking, or in one started after the request's <paramref name="asked"/>-th if the kept one lacks
    /// it (the job came or came back since it was read); null when even that lacks it (it left the queue meanwhile).
    /// </summary>
    private async Task<Place?> ComputedAsync(long id, long asked, CancellationToken cancellationToken)
    {
        var ranking = await RankingAsync(startedAfter: null, cancellationToken);
        if (!ranking.Positions.ContainsKey(id) && ranking.Number <= asked)
        {
            ranking = await RankingAsync(asked, cancellationToken);
        }
        return ranking.Positions.TryGetValue(id, out var position)
            ? new Place(ranking.Jobs[position], position, ranking.Jobs.Count, order.Name)
            : null;
    }

    /// <summary>
    /// The kept ranking while it is fresh (and, with <paramref name="startedAfter"/>, numbered above it), else a new one;
    /// a read in flight is shared by every caller meanwhile, and one who gives up does not cancel it for the others.
    /// </summary>
    private async Task<StoreRanking> RankingAsync(long? startedAfter, CancellationToken cancellationToken)
    {
        Task<StoreRanking> task;
        lock (gate)
        {
            var current = computing;
            var usable = current is not null
                && current.Number > (startedAfter ?? long.MinValue)
                && (current.Task.IsCompletedSuccessfully ? Fresh(current.Task.Result) : !current.Task.IsCompleted);
            if (!usable)
            {
                var number = Interlocked.Increment(ref reads);
                computing = current = new Computing(number, Task.Run(() => RankStoreAsync(number, CancellationToken.None), CancellationToken.None));
            }
            task = current!.Task;
        }
        return await task.WaitAsync(cancellationToken);
    }

    /// <summary>Every pending job, ranked as the scheduler ranks them: the same input, the same snapshot, the same order.</summary>
    private async Task<StoreRanking> RankStoreAsync(long number, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var settings = options.Value;
        var input = await store.ReadSchedulingInputAsync(settings.Quotas.CpuHoursWindow, cancellationToken);
        var snapshot = SchedulerService.SnapshotOf(input, SchedulerService.NodesOf(nodes, settings), settings, time.GetUtcNow());
        var jobs = order.Rank(snapshot);
        var positions = new Dictionary<long, int>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            positions[jobs[i].Job.Id] = i;
        }
        return new StoreRanking(jobs, positions, number, time.GetElapsedTime(started), time.GetTimestamp());
    }

    /// <summary>Whether a ranking made is still kept: for the scheduler's interval, or twice what it took when longer.</summary>
    private bool Fresh(StoreRanking ranking) =>
        time.GetElapsedTime(ranking.Made) < TimeSpan.FromTicks(Math.Max(options.Value.Scheduler.Interval.Ticks, 2 * ranking.Took.Ticks));

    private static PriorityView View(Job job, RankedJob ranked, int position, int pending, string policyName)
    {
        var f = ranked.Factors;
        IReadOnlyList<PriorityFactorView> factors = f is null
            ? [new PriorityFactorView("adjustment", 0, 1, ranked.Job.PriorityAdjustment)]
            :
            [
                new("age", f.Age, f.Weights.Age, f.Age * f.Weights.Age),
                new("fairshare-user", f.FairShareUser, f.Weights.FairShareUser, f.FairShareUser * f.Weights.FairShareUser),
                new("fairshare-project", f.FairShareProject, f.Weights.FairShareProject, f.FairShareProject * f.Weights.FairShareProject),
                new("jobsize", f.JobSize, f.Weights.JobSize, f.JobSize * f.Weights.JobSize),
                new("user", f.UserPriority, f.Weights.User, f.UserPriority * f.Weights.User),
                new("project", f.ProjectPriority, f.Weights.Project, f.ProjectPriority * f.Weights.Project),
                new("adjustment", 0, 1, f.Adjustment),
            ];
        return new PriorityView(job.Id, policyName, ranked.Priority, position + 1, pending, factors)
        {
            ExpectedStart = job.ExpectedStart,
            Reason = job.Reason,
        };
    }

    /// <summary>A job's ranking, its 0-based position, how many were ranked, under which policy.</summary>
    private readonly record struct Place(RankedJob Ranked, int Position, int Pending, string Policy);

    /// <summary>The <see cref="Number"/>-th ranking of the store, made at timestamp <see cref="Made"/> in <see cref="Took"/>.</summary>
    private sealed record StoreRanking(IReadOnlyList<RankedJob> Jobs, IReadOnlyDictionary<long, int> Positions, long Number, TimeSpan Took, long Made);

    /// <summary>The <see cref="Number"/>-th ranking: being read, or read.</summary>
    private sealed record Computing(long Number, Task<StoreRanking> Task);
}

/// <summary>What a standing request answered (<see cref="JobStanding"/>).</summary>
public abstract record StandingOutcome
{
    private StandingOutcome()
    {
    }

    /// <summary>The job's priority, factors and position, as sprio shows them.</summary>
    public sealed record Standing(PriorityView View) : StandingOutcome;

    /// <summary>No such job, or one the caller may not see: the two are answered alike, so ids reveal nothing.</summary>
    public sealed record NotFound(long JobId) : StandingOutcome;

    /// <summary>The job is not waiting in the queue (any more): a standing applies to pending jobs only.</summary>
    public sealed record NotPending(string Reason) : StandingOutcome;
}
