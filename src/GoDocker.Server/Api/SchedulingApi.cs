using System.Globalization;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Auth;
using GoDocker.Server.Services;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Usage;

namespace GoDocker.Server.Api;

/// <summary>
/// Job control beyond kill (hold, release, suspend, resume, requeue, priority), arrays, and the fair-share and
/// quota views: /jobs/{id}/..., /arrays/{id}, /usage, /limits. The controls are <see cref="JobControl"/>'s and the usage
/// view <see cref="UsageReport"/>'s, a job's priority <see cref="JobStanding"/>'s: these handlers only translate HTTP.
/// </summary>
internal static class SchedulingApi
{
    public static void MapScheduling(this IEndpointRouteBuilder api)
    {
        api.MapPost("/jobs/{id:long}/hold", (long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken ct) =>
                ControlAsync(id, context, callers, (caller, token) => control.HoldAsync(caller, id, token), ct))
            .WithName("HoldJob").WithSummary("Hold a pending job: it waits until released")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/release", (long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken ct) =>
                ControlAsync(id, context, callers, (caller, token) => control.ReleaseAsync(caller, id, token), ct))
            .WithName("ReleaseJob").WithSummary("Release a held job (an admin's hold only by an admin)")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/suspend", (long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken ct) =>
                ControlAsync(id, context, callers, (caller, token) => control.SuspendAsync(caller, id, token), ct))
            .WithName("SuspendJob").WithSummary("Suspend a running job (its processes are frozen; it keeps its resources)")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/resume", (long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken ct) =>
                ControlAsync(id, context, callers, (caller, token) => control.ResumeAsync(caller, id, token), ct))
            .WithName("ResumeJob").WithSummary("Resume a suspended job")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/jobs/{id:long}/requeue", (long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken ct) =>
                ControlAsync(id, context, callers, (caller, token) => control.RequeueAsync(caller, id, token), ct, accepted: true))
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

    /// <summary>A control of one job by the caller (<see cref="JobControl"/>), its outcome as HTTP.</summary>
    private static async Task<IResult> ControlAsync(
        long id, HttpContext context, CallerResolver callers, Func<Caller, CancellationToken, Task<ControlOutcome>> control, CancellationToken cancellationToken,
        bool accepted = false)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return JobsApi.Controlled(await control(caller, cancellationToken), accepted);
    }

    private static async Task<IResult> PriorityAsync(long id, HttpContext context, JobStanding standing, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return await standing.OfAsync(caller, id, cancellationToken) switch
        {
            StandingOutcome.Standing found => TypedResults.Ok(found.View),
            StandingOutcome.NotFound => Problems.JobNotFound(id),
            StandingOutcome.NotPending notPending => Problems.Conflict(notPending.Reason),
            var other => throw new InvalidOperationException($"unknown standing outcome {other}"),
        };
    }

    private static async Task<IResult> SetPriorityAsync(long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.PriorityRequest, cancellationToken);
        if (request is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return JobsApi.Controlled(await control.SetPriorityAsync(caller, id, request.Adjustment, cancellationToken));
    }

    private static async Task<IResult> ArrayAsync(long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken cancellationToken)
    {
        var tasks = await control.ArrayTasksAsync(await callers.ResolveAsync(context, cancellationToken), id, cancellationToken);
        return tasks.Count == 0 ? ArrayNotFound(id) : TypedResults.Ok(ArrayOf(id, tasks));
    }

    private static async Task<IResult> KillArrayAsync(long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken cancellationToken) =>
        await control.KillArrayAsync(await callers.ResolveAsync(context, cancellationToken), id, cancellationToken) switch
        {
            ArrayOutcome.Done done => TypedResults.Accepted($"/api/v1/arrays/{id}", ArrayOf(id, done.Tasks)),
            ArrayOutcome.NotFound => ArrayNotFound(id),
            ArrayOutcome.Forbidden forbidden => Problems.Forbidden(forbidden.Reason),
            var other => throw new InvalidOperationException($"unknown array outcome {other}"),
        };

    private static IResult ArrayNotFound(long id) => Problems.NotFound("No such array", $"array {id} does not exist");

    private static ArrayView ArrayOf(long id, IReadOnlyList<Job> tasks) =>
        new(id, tasks[0].Spec.Name, tasks[0].Owner, tasks.Count,
            tasks.GroupBy(t => t.State).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            [.. tasks.Select(t => JobView.From(t))]);

    private static async Task<IResult> UsageAsync(HttpContext context, UsageReport usage, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return await usage.ForAsync(caller, context.Request.Query["user"].LastOrDefault(), context.Request.Query["project"].LastOrDefault(), cancellationToken) switch
        {
            UsageOutcome.Report report => TypedResults.Ok(report.Accounts),
            UsageOutcome.NotYours notYours => Problems.Forbidden(notYours.Reason),
            var other => throw new InvalidOperationException($"unknown usage outcome {other}"),
        };
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
            .Select(l => AccountLimitsView.From(l.Kind, l.Name, l.Shares, l.Priority, l.Quota))];
        return TypedResults.Ok(views);
    }

    /// <summary>The widest priority an administrator may give a user, a project or (as an adjustment) a job.</summary>
    internal const int MaxPriority = JobControl.MaxPriority;
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
        return TypedResults.Ok(AccountLimitsView.From(parsedKind, name, request.Shares, request.Priority, quota));
    }
}
