using System.Text.Json;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using GoDocker.Executors.Docker;
using GoDocker.Storage.JobDirectories;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/jobs: submit, list, show, kill.</summary>
internal static class JobsApi
{
    public const int MaxPageSize = 1000;

    public static void MapJobs(this IEndpointRouteBuilder api)
    {
        api.MapPost("/jobs", SubmitAsync)
            .WithName("SubmitJob").WithSummary("Submit a job")
            .Accepts<JobSpec>("application/json")
            .Produces<JobView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/jobs", ListAsync)
            .WithName("ListJobs").WithSummary("List jobs; filter by state (repeatable), owner, project, tag; page with offset and limit")
            .Produces<JobList>().ProducesValidationProblem();
        api.MapGet("/jobs/{id:long}", GetAsync)
            .WithName("GetJob").WithSummary("A job with its timeline")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id:long}/kill", KillAsync)
            .WithName("KillJob").WithSummary("Kill a job: SIGTERM, then SIGKILL after the grace period")
            .Produces<JobView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context, IJobStore store, IAccountStore accounts, NodeRegistry nodes, SchedulerTrigger scheduler, CallerResolver callers,
        IAccessPolicy policy, PendingCounts pendingCounts, AuthOptions auth, AccountLimitsCache limits, IOptions<GoDockerOptions> options,
        CancellationToken cancellationToken)
    {
        var (spec, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.JobSpec, cancellationToken);
        if (spec is null)
        {
            return refused!;
        }

        var validation = JobSpecValidator.Validate(spec, SubmitLimits(options.Value.Jobs, nodes));
        if (!validation.IsValid)
        {
            return Problems.Validation(validation.Errors);
        }
        var (key, keyRefused) = IdempotencyKeyHeader.Read(context.Request, spec);
        if (keyRefused is not null)
        {
            return keyRefused;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        // A retry whose first submit was stored answers as the first did, whatever the limits say now.
        if (key is not null && await store.FindKeyAsync(caller.Login, key, cancellationToken) is { } earlier)
        {
            return await IdempotencyKeyHeader.EarlierSubmitAsync(earlier, key, context, store, cancellationToken);
        }
        if (policy.RefuseSubmit(caller, validation.Spec!.Project) is { } refusal)
        {
            return Problems.ForbiddenField("project", refusal);
        }
        if (policy.RefuseImage(caller, validation.Spec.Image) is { } imageRefusal)
        {
            return Problems.ForbiddenField("image", imageRefusal);
        }
        if (validation.Spec.Root && policy.RefuseRoot(caller) is { } rootRefusal)
        {
            return Problems.ForbiddenField("root", rootRefusal);
        }
        var array = validation.Array;
        var tasks = array?.TaskIds.Count ?? 1;
        var pending = await pendingCounts.CountAsync(caller.Login, cancellationToken);
        if (pending + tasks > options.Value.Jobs.MaxPendingPerUser)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many pending jobs",
                detail: $"you have {pending} pending jobs; the limit is {options.Value.Jobs.MaxPendingPerUser}: wait for some to start");
        }
        if (await limits.RefuseSubmitAsync(caller.Login, validation.Spec.Project, tasks, pending, cancellationToken) is { } quotaRefusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Over quota", detail: quotaRefusal);
        }
        foreach (var dependency in validation.Spec.Dependencies)
        {
            // A dependency on a job the caller may not see is refused as if it did not exist: ids reveal nothing.
            if (await store.GetAsync(dependency.JobId, cancellationToken) is not { } other || !policy.CanSee(caller, other))
            {
                return Problems.Field("dependency", $"job {dependency.JobId} does not exist");
            }
        }
        // The job runs as its owner, fixed now: a later change of the account does not change a queued job.
        var runAs = auth.IsNone
            ? LocalIdentity(options.Value.Server)
            : (await accounts.GetUserAsync(caller.Login, cancellationToken))?.Identity
                ?? throw new InvalidOperationException($"the authenticated user {caller.Login} has no account");
        if (RootIdentity.Refuse(runAs, validation.Spec.Root) is { } rootIdentityRefusal)
        {
            return Problems.ForbiddenField("root", rootIdentityRefusal);
        }
        var (mounts, volumeRefusal) = VolumePolicy.Plan(
            spec.Volumes ?? [], [.. options.Value.Volumes.Select(v => v.ToRule())], caller, runAs, validation.Spec.Project, validation.Spec.Root);
        if (volumeRefusal is not null || (volumeRefusal = ResolveOnHost(ref mounts, options.Value.Volumes)) is not null)
        {
            return Problems.ForbiddenField("volumes", volumeRefusal);
        }
        var resolved = validation.Spec with { RunAs = runAs, Mounts = mounts };
        var heldBy = spec.Hold == true ? "user" : null;
        if (key is not null)
        {
            IReadOnlyList<ResolvedJobSpec> specs = array is null ? [resolved]
                : [.. array.TaskIds.Select(id => resolved with { Task = new ArrayTask(id, array.First, array.Last, array.Step, array.MaxRunning) { Count = array.TaskIds.Count } })];
            var keyed = await store.SubmitAsync(specs, array is not null, caller.Login, heldBy, key, cancellationToken);
            if (keyed.Outcome != KeyedOutcome.Stored)
            {
                return await IdempotencyKeyHeader.EarlierSubmitAsync(keyed, key, context, store, cancellationToken);
            }
            return Submitted(keyed.Stored, array is not null, caller.Login, pendingCounts, scheduler);
        }
        if (array is null)
        {
            var job = await store.SubmitAsync(resolved, caller.Login, heldBy, cancellationToken);
            pendingCounts.Added(caller.Login);
            scheduler.Poke();
            return TypedResults.Created($"/api/v1/jobs/{job.Id}", JobView.From(job));
        }
        var step = array.Step;
        var jobs = await store.SubmitArrayAsync(
            [.. array.TaskIds.Select(id => resolved with { Task = new ArrayTask(id, array.First, array.Last, step, array.MaxRunning) { Count = array.TaskIds.Count } })],
            caller.Login, heldBy, cancellationToken);
        for (var i = 0; i < jobs.Count; i++)
        {
            pendingCounts.Added(caller.Login);
        }
        scheduler.Poke();
        // The first task stands for the array: its id is the array's (GET /arrays/{id} lists them all).
        return TypedResults.Created($"/api/v1/arrays/{jobs[0].Id}", JobView.From(jobs[0]));
    }

    /// <summary>The 201 of a stored submit: counts the new pending jobs and wakes the scheduler.</summary>
    private static Created<JobView> Submitted(IReadOnlyList<Job> jobs, bool array, string owner, PendingCounts pendingCounts, SchedulerTrigger scheduler)
    {
        foreach (var _ in jobs)
        {
            pendingCounts.Added(owner);
        }
        scheduler.Poke();
        return TypedResults.Created(array ? $"/api/v1/arrays/{jobs[0].Id}" : $"/api/v1/jobs/{jobs[0].Id}", JobView.From(jobs[0]));
    }

    private static async Task<IResult> ListAsync(HttpContext context, IJobStore store, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var query = context.Request.Query;
        var states = new List<JobState>();
        foreach (var value in query["state"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Enum.TryParse<JobState>(value, ignoreCase: true, out var state) || !Enum.IsDefined(state))
            {
                return Problems.Field("state", $"'{value}' is not a state ({string.Join(", ", Enum.GetNames<JobState>())})");
            }
            states.Add(state);
        }
        if (!TryInt(query["offset"], 0, 0, int.MaxValue, out var offset))
        {
            return Problems.Field("offset", "offset must be a whole number ≥ 0");
        }
        if (!TryInt(query["limit"], 100, 1, MaxPageSize, out var limit))
        {
            return Problems.Field("limit", $"limit must be a whole number from 1 to {MaxPageSize}");
        }
        var page = await store.ListAsync(new JobQuery
        {
            States = states,
            Owner = NullIfEmpty(query["owner"]),
            Project = NullIfEmpty(query["project"]),
            Tag = NullIfEmpty(query["tag"]),
            ArrayId = long.TryParse(query["array"].LastOrDefault(), out var arrayId) ? arrayId : null,
            Offset = offset,
            Limit = limit,
            // Everyone but admins sees their own jobs and those of the projects they manage.
            VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
        }, cancellationToken);
        return TypedResults.Ok(new JobList([.. page.Items.Select(j => JobView.From(j))], page.Total, offset, limit));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext context, IJobStore store, JobAccess access, CancellationToken cancellationToken)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var events = await store.GetEventsAsync(id, cancellationToken);
        return TypedResults.Ok(JobView.From(job, events, withDetails: true));
    }

    private static async Task<IResult> KillAsync(
        long id, HttpContext context, ExecutionService execution, JobAccess access, TimeProvider time, CancellationToken cancellationToken)
    {
        var (job, caller, refused) = await access.ControlAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var stopped = await execution.RequestStopAsync(id, new StopRequest(JobState.Killed, $"killed by {caller!.Login}", time.GetUtcNow()), cancellationToken);
        return TypedResults.Accepted($"/api/v1/jobs/{id}", JobView.From(stopped));
    }

    /// <summary>
    /// Without accounts (Auth:Provider=none), jobs run as the server's own uid and gid, except that a server running
    /// as root runs them as nobody (65534): no job runs as uid 0 unless root is granted and asked for.
    /// </summary>
    private static UserIdentity LocalIdentity(ServerOptions server)
    {
        var (uid, gid) = ProcessIdentity.Uid == 0 ? (Nobody, Nobody) : (ProcessIdentity.Uid, ProcessIdentity.Gid);
        return new UserIdentity
        {
            Login = server.LocalUser,
            Uid = uid,
            Gid = gid,
            Home = uid == Nobody ? "/godocker/job" : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        };
    }

    private const int Nobody = 65534;

    /// <summary>Resolves each mount's host path on disk; refuses one that is missing or leaves its volume's allowed root.</summary>
    private static string? ResolveOnHost(ref IReadOnlyList<Mount> mounts, IReadOnlyList<VolumeOptions> volumes)
    {
        var resolved = new List<Mount>();
        foreach (var mount in mounts)
        {
            var rule = volumes.First(v => v.Name == mount.Name);
            var real = RealPaths.Resolve(mount.HostPath);
            var root = RealPaths.Resolve(rule.AllowedRoot);
            if (real is null || !Directory.Exists(real))
            {
                return $"volume '{mount.Name}': {mount.HostPath} does not exist on the host";
            }
            if (root is null || !RealPaths.IsInside(real, root))
            {
                return $"volume '{mount.Name}': {mount.HostPath} leaves the volume's allowed folder {rule.AllowedRoot}";
            }
            resolved.Add(mount with { HostPath = real });
        }
        mounts = resolved;
        return null;
    }

    internal static SubmitLimits SubmitLimits(JobOptions jobs, NodeRegistry nodes)
    {
        var largest = nodes.Largest;
        return new SubmitLimits
        {
            DefaultImage = jobs.DefaultImage,
            DefaultCpus = jobs.DefaultCpus,
            DefaultMemoryBytes = jobs.Parsed.DefaultMemoryBytes,
            // Until a node has answered, accept any size: the job waits, its reason says the node is unreachable.
            MaxCpus = largest?.Cpus ?? double.MaxValue,
            MaxMemoryBytes = largest?.MemoryBytes ?? long.MaxValue,
            MaxGpus = largest is null ? int.MaxValue : nodes.Nodes.Select(n => n.Capacity.Gpus).DefaultIfEmpty(0).Max(),
            DefaultWalltime = jobs.Parsed.DefaultWalltime,
            MaxWalltime = jobs.Parsed.MaxWalltime,
        };
    }

    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues values, int fallback, int min, int max, out int value)
    {
        value = fallback;
        var text = values.LastOrDefault();
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        string.IsNullOrEmpty(values.LastOrDefault()) ? null : values.LastOrDefault();
}
