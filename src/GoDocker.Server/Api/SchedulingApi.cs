using System.Globalization;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api;

/// <summary>
/// Job control beyond kill (hold, release, suspend, resume, requeue, priority), arrays, and the fair-share and
/// quota views: /jobs/{id}/..., /arrays/{id}, /usage, /limits.
/// </summary>
internal static class SchedulingApi
{
    public static void MapScheduling(this IEndpointRouteBuilder api)
    {
        api.MapPost("/jobs/{id:long}/hold", (long id, HttpContext context, IJobStore store, JobAccess access, CancellationToken ct) =>
                HoldAsync(id, hold: true, context, store, access, ct))
            .WithName("HoldJob").WithSummary("Hold a pending job: it waits until released")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/release", (long id, HttpContext context, IJobStore store, JobAccess access, CancellationToken ct) =>
                HoldAsync(id, hold: false, context, store, access, ct))
            .WithName("ReleaseJob").WithSummary("Release a held job (an admin's hold only by an admin)")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/suspend", (long id, HttpContext context, ExecutionService execution, JobAccess access, CancellationToken ct) =>
                ControlAsync(id, context, access, (job, caller) => execution.SuspendAsync(job, caller.Login, ct), ct))
            .WithName("SuspendJob").WithSummary("Suspend a running job (its processes are frozen; it keeps its resources)")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/resume", (long id, HttpContext context, ExecutionService execution, JobAccess access, CancellationToken ct) =>
                ControlAsync(id, context, access, (job, caller) => execution.ResumeAsync(job, caller.Login, ct), ct))
            .WithName("ResumeJob").WithSummary("Resume a suspended job")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/requeue", RequeueAsync)
            .WithName("RequeueJob").WithSummary("Stop a running job and put it back in the queue, keeping its history and attempt count")
            .Produces<JobView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/jobs/{id:long}/priority", PriorityAsync)
            .WithName("GetJobPriority").WithSummary("A pending job's priority, position and factors (as Slurm's sprio)")
            .Produces<PriorityView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/priority", SetPriorityAsync)
            .RequireAuthorization(AuthApi.AdminPolicy)
            .WithName("SetJobPriority").WithSummary("Set an administrator's priority adjustment on a job")
            .Accepts<PriorityRequest>("application/json").Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/arrays/{id:long}", ArrayAsync)
            .WithName("GetArray").WithSummary("A job array: its tasks and how many are in each state")
            .Produces<ArrayView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/arrays/{id:long}/kill", KillArrayAsync)
            .WithName("KillArray").WithSummary("Kill every task of an array that has not ended")
            .Produces<ArrayView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/usage", UsageAsync)
            .WithName("GetUsage").WithSummary("Fair-share usage, quota window and running totals of users and projects (?user=, ?project=)")
            .Produces<IReadOnlyList<AccountUsageView>>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/limits", LimitsAsync)
            .WithName("ListLimits").WithSummary("Shares, priority and quotas set per user and project (?kind=user|project, ?name=)")
            .Produces<IReadOnlyList<AccountLimitsView>>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPut("/limits/{kind}/{name}", SetLimitsAsync)
            .RequireAuthorization(AuthApi.AdminPolicy)
            .WithName("SetLimits").WithSummary("Set a user's or project's shares, priority and quotas (replaces what was set)")
            .Accepts<AccountLimitsView>("application/json").Produces<AccountLimitsView>().ProducesValidationProblem();
    }

    private static async Task<IResult> HoldAsync(long id, bool hold, HttpContext context, IJobStore store, JobAccess access, CancellationToken cancellationToken)
    {
        var (job, caller, refused) = await access.ControlAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        if (!hold && job.HeldBy == "admin" && !caller!.Admin)
        {
            return Problems.Forbidden($"job {id} is held by an administrator; only an administrator can release it");
        }
        var heldBy = !hold ? null : caller!.Admin && caller.Login != job.Owner ? "admin" : "user";
        return await Conflict(async () => JobView.From(await store.SetHoldAsync(id, heldBy, caller!.Login, cancellationToken)));
    }

    private static async Task<IResult> ControlAsync(long id, HttpContext context, JobAccess access, Func<Job, Caller, Task<Job>> act, CancellationToken cancellationToken)
    {
        var (job, caller, refused) = await access.ControlAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return await Conflict(async () => JobView.From(await act(job, caller!)));
    }

    private static async Task<IResult> RequeueAsync(
        long id, HttpContext context, ExecutionService execution, JobAccess access, TimeProvider time, CancellationToken cancellationToken)
    {
        var (job, caller, refused) = await access.ControlAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        if (job.State is not (JobState.Running or JobState.Suspended or JobState.Scheduled))
        {
            return Problems.Conflict($"job {id} is {job.State}: only a scheduled, running or suspended job can be requeued");
        }
        var requeued = await execution.RequestStopAsync(id, new StopRequest(JobState.Pending, $"requeued by {caller!.Login}", time.GetUtcNow()), cancellationToken);
        return TypedResults.Accepted($"/api/v1/jobs/{id}", JobView.From(requeued));
    }

    private static async Task<IResult> PriorityAsync(
        long id, HttpContext context, JobAccess access, SchedulerBoard board, SchedulerTrigger scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        if (job.State != JobState.Pending)
        {
            return Problems.Conflict($"job {id} is {job.State}: priority applies to pending jobs");
        }
        var found = board.Find(id);
        // Submitted since the last cycle: ask for one and wait for it, briefly.
        for (var waited = 0; found is null && waited < 30; waited++)
        {
            scheduler.PokeNow();
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            found = board.Find(id);
        }
        if (found is not { } entry)
        {
            return Problems.Conflict($"job {id} has not been through a scheduling cycle yet; try again in a moment");
        }
        var f = entry.Ranked.Factors;
        IReadOnlyList<PriorityFactorView> factors = f is null
            ? [new PriorityFactorView("adjustment", 0, 1, entry.Ranked.Job.PriorityAdjustment)]
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
        return TypedResults.Ok(new PriorityView(id, entry.Policy, entry.Ranked.Priority, entry.Position + 1, entry.Pending, factors)
        {
            ExpectedStart = job.ExpectedStart,
            Reason = job.Reason,
        });
    }

    private static async Task<IResult> SetPriorityAsync(long id, HttpContext context, IJobStore store, CallerResolver callers, SchedulerTrigger scheduler, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.PriorityRequest, cancellationToken);
        if (request is null)
        {
            return refused!;
        }
        if (Math.Abs((long)request.Adjustment) > MaxPriority)
        {
            return Problems.Field("adjustment", "the adjustment must be between -1000000000 and 1000000000");
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        try
        {
            var job = await store.SetPriorityAdjustmentAsync(id, request.Adjustment, caller.Login, cancellationToken);
            scheduler.Poke();
            return TypedResults.Ok(JobView.From(job));
        }
        catch (KeyNotFoundException)
        {
            return Problems.JobNotFound(id);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<IResult> ArrayAsync(long id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, CancellationToken cancellationToken)
    {
        var (tasks, _) = await ArrayTasksAsync(id, context, store, callers, policy, cancellationToken);
        return tasks.Count == 0 ? ArrayNotFound(id) : TypedResults.Ok(ArrayOf(id, tasks));
    }

    private static async Task<IResult> KillArrayAsync(
        long id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, ExecutionService execution, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (tasks, caller) = await ArrayTasksAsync(id, context, store, callers, policy, cancellationToken);
        if (tasks.Count == 0)
        {
            return ArrayNotFound(id);
        }
        if (tasks.Any(t => !policy.CanControl(caller, t)))
        {
            return Problems.Forbidden($"you may see array {id} but not control it");
        }
        var after = new List<Job>();
        foreach (var task in tasks)
        {
            after.Add(task.State.IsTerminal()
                ? task
                : await execution.RequestStopAsync(task.Id, new StopRequest(JobState.Killed, $"array {id} killed by {caller.Login}", time.GetUtcNow()), cancellationToken));
        }
        return TypedResults.Accepted($"/api/v1/arrays/{id}", ArrayOf(id, after));
    }

    /// <summary>The tasks of array <paramref name="id"/> the caller may see (none: no such array, for them).</summary>
    private static async Task<(List<Job> Tasks, Caller Caller)> ArrayTasksAsync(
        long id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var page = await store.ListAsync(new JobQuery
        {
            ArrayId = id,
            Limit = ArraySpec.MaxTasks,
            VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
        }, cancellationToken);
        return ([.. page.Items.Where(j => policy.CanSee(caller, j))], caller);
    }

    private static IResult ArrayNotFound(long id) => Problems.NotFound("No such array", $"array {id} does not exist");

    private static ArrayView ArrayOf(long id, List<Job> tasks) =>
        new(id, tasks[0].Spec.Name, tasks[0].Owner, tasks.Count,
            tasks.GroupBy(t => t.State).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            [.. tasks.Select(t => JobView.From(t))]);

    private static async Task<IResult> UsageAsync(
        HttpContext context, IJobStore store, CallerResolver callers, IOptions<GoDockerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var userFilter = context.Request.Query["user"].LastOrDefault();
        var projectFilter = context.Request.Query["project"].LastOrDefault();
        // Everyone sees their own standing and their projects'; admins see everyone's. The default project is every
        // user's: its figures are the other users' (the caller's own share is their user row), so it is for admins only.
        bool MaySee(AccountKind kind, string name) =>
            caller.Admin || (kind == AccountKind.User ? name == caller.Login : name != Project.Default && caller.MemberOf(name));
        var settings = options.Value;
        var input = await store.ReadSchedulingInputAsync(settings.Quotas.CpuHoursWindow, cancellationToken);
        var now = time.GetUtcNow();
        var standings = SchedulerService.Standings(input, settings.Scheduler.FairShare.DefaultShares);
        var quotas = SchedulerService.Quotas(input, settings.Quotas, now);
        var names = new SortedSet<(AccountKind Kind, string Name)>();
        foreach (var name in standings.Users.Keys.Concat(input.Pending.Select(p => p.Owner)).Concat(input.Running.Select(r => r.Owner)).Concat(quotas.UserCpuHours.Keys))
        {
            names.Add((AccountKind.User, name));
        }
        foreach (var name in standings.Projects.Keys.Concat(input.Pending.Select(p => p.Project)).Concat(input.Running.Select(r => r.Project)).Concat(quotas.ProjectCpuHours.Keys))
        {
            names.Add((AccountKind.Project, name));
        }
        if (userFilter is not null && !MaySee(AccountKind.User, userFilter) || projectFilter is not null && !MaySee(AccountKind.Project, projectFilter))
        {
            return Problems.Forbidden("you may see your own usage and your projects' only (the default project's, which sums every user's, is for admins)");
        }
        var views = new List<AccountUsageView>();
        foreach (var (kind, name) in names)
        {
            if ((userFilter is not null || projectFilter is not null)
                && !(kind == AccountKind.User && name == userFilter) && !(kind == AccountKind.Project && name == projectFilter))
            {
                continue;
            }
            if (!MaySee(kind, name))
            {
                continue;
            }
            var user = kind == AccountKind.User;
            var standing = user ? standings.User(name) : standings.Project(name);
            var decayed = standing.Usage?.At(now, settings.Scheduler.FairShare.HalfLife);
            var running = input.Running.Where(r => (user ? r.Owner : r.Project) == name).ToList();
            var held = Resources.Sum(running.Select(r => r.Held));
            var quota = user ? quotas.ForUser(name) : quotas.ForProject(name);
            views.Add(new AccountUsageView
            {
                Kind = kind.Name(),
                Name = name,
                Shares = standing.Shares,
                Priority = standing.Priority,
                DecayedCpuHours = (decayed?.CpuSeconds ?? 0) / 3600,
                DecayedMemoryGibHours = (decayed?.MemoryGibSeconds ?? 0) / 3600,
                DecayedGpuHours = (decayed?.GpuSeconds ?? 0) / 3600,
                WindowCpuHours = (user ? quotas.UserCpuHours : quotas.ProjectCpuHours).GetValueOrDefault(name),
                WindowDays = quotas.CpuHoursWindow.TotalDays,
                RunningJobs = running.Count,
                RunningCpus = held.Cpus,
                RunningMemoryBytes = held.MemoryBytes,
                RunningGpus = held.Gpus,
                PendingJobs = input.Pending.Count(p => (user ? p.Owner : p.Project) == name),
                Quota = quota.IsUnlimited ? null : View(kind, name, null, null, quota),
            });
        }
        return TypedResults.Ok((IReadOnlyList<AccountUsageView>)views);
    }

    private static async Task<IResult> LimitsAsync(HttpContext context, IJobStore store, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var kindText = context.Request.Query["kind"].LastOrDefault();
        AccountKind? kind = null;
        if (kindText is not null && (kind = AccountKinds.Parse(kindText)) is null)
        {
            return Problems.Field("kind", $"'{kindText}' is not user or project");
        }
        var limits = await store.GetLimitsAsync(kind, context.Request.Query["name"].LastOrDefault(), cancellationToken);
        IReadOnlyList<AccountLimitsView> views = [.. limits
            .Where(l => caller.Admin || (l.Kind == AccountKind.User ? l.Name == caller.Login : caller.MemberOf(l.Name)))
            .Select(l => View(l.Kind, l.Name, l.Shares, l.Priority, l.Quota))];
        return TypedResults.Ok(views);
    }

    /// <summary>The widest priority an administrator may give a user, a project or (as an adjustment) a job.</summary>
    internal const int MaxPriority = 1_000_000_000;
    private const long MaxQuotaMemoryBytes = 1L << 60;

    private static async Task<IResult> SetLimitsAsync(
        string kind, string name, HttpContext context, IJobStore store, AccountLimitsCache cache, SchedulerTrigger scheduler, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.AccountLimitsView, cancellationToken);
        if (request is null)
        {
            return refused!;
        }
        var errors = new Dictionary<string, string[]>();
        if (AccountKinds.Parse(kind) is not { } parsedKind)
        {
            errors["kind"] = [$"'{kind}' is not user or project"];
            parsedKind = AccountKind.User;
        }
        if (name.Length is 0 or > 128 || name.Any(char.IsControl))
        {
            errors["name"] = ["the name must be 1 to 128 printable characters"];
        }
        long? memory = null;
        if (request.MaxMemory is { } text)
        {
            if (ByteSize.TryParse(text, out var bytes) && bytes > 0 && bytes <= MaxQuotaMemoryBytes)
            {
                memory = bytes;
            }
            else
            {
                errors["maxMemory"] = [$"'{text}' is not a memory size from 1 byte to {ByteSize.Format(MaxQuotaMemoryBytes)} (e.g. 64G)"];
            }
        }
        // Every number is bounded: the scheduler sums and weighs them on every cycle.
        void Bounded(string field, double? value, double min, double max)
        {
            if (value is { } v && !(v >= min && v <= max))
            {
                errors[field] = [string.Create(CultureInfo.InvariantCulture, $"{field} must be from {min} to {max}")];
            }
        }
        Bounded("shares", request.Shares, 0, 1_000_000);
        Bounded("priority", request.Priority, -MaxPriority, MaxPriority);
        Bounded("maxRunningJobs", request.MaxRunningJobs, 0, int.MaxValue);
        Bounded("maxCpus", request.MaxCpus, 0, 1_000_000_000);
        Bounded("maxGpus", request.MaxGpus, 0, int.MaxValue);
        Bounded("maxCpuHours", request.MaxCpuHours, 0, 1e12);
        Bounded("maxPendingJobs", request.MaxPendingJobs, 0, int.MaxValue);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var quota = new Quota
        {
            MaxRunningJobs = request.MaxRunningJobs,
            MaxCpus = request.MaxCpus,
            MaxMemoryBytes = memory,
            MaxGpus = request.MaxGpus,
            MaxCpuHours = request.MaxCpuHours,
            MaxPendingJobs = request.MaxPendingJobs,
        };
        await store.SetLimitsAsync(new AccountLimits(parsedKind, name, request.Shares, request.Priority, quota), cancellationToken);
        cache.Invalidate();
        scheduler.Poke();
        return TypedResults.Ok(View(parsedKind, name, request.Shares, request.Priority, quota));
    }

    private static AccountLimitsView View(AccountKind kind, string name, double? shares, int? priority, Quota quota) => new()
    {
        Kind = kind.Name(),
        Name = name,
        Shares = shares,
        Priority = priority,
        MaxRunningJobs = quota.MaxRunningJobs,
        MaxCpus = quota.MaxCpus,
        MaxMemoryBytes = quota.MaxMemoryBytes,
        MaxMemory = quota.MaxMemoryBytes is { } bytes ? ByteSize.Format(bytes) : null,
        MaxGpus = quota.MaxGpus,
        MaxCpuHours = quota.MaxCpuHours,
        MaxPendingJobs = quota.MaxPendingJobs,
    };

    private static async Task<IResult> Conflict(Func<Task<JobView>> act)
    {
        try
        {
            return TypedResults.Ok(await act());
        }
        // Both are InvalidOperationExceptions: caught before the general case, or it takes them.
        catch (JobVersionConflictException)
        {
            return Problems.Conflict("the job changed meanwhile; try again");
        }
        catch (IllegalTransitionException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Conflict(e.Message);
        }
        catch (NodeUnavailableException e)
        {
            return Problems.Unavailable(e.Message);
        }
    }
}
