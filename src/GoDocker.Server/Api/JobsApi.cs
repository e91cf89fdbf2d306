using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/jobs: submit, list, show, kill. Submit and kill are use cases (<see cref="JobSubmission"/>, <see cref="JobControl"/>): this only translates HTTP.</summary>
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
            .WithName("ListJobs").WithSummary("List jobs; filter by state (repeatable), owner, project, tag, name (substring); order with sort (id, name, state, owner, project, submitted, started, ended; -key descending); page with offset and limit")
            .Produces<JobList>().ProducesValidationProblem();
        api.MapGet("/jobs/{id:long}", GetAsync)
            .WithName("GetJob").WithSummary("A job with its timeline")
            .Produces<JobView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/jobs/{id:long}/kill", KillAsync)
            .WithName("KillJob").WithSummary("Kill a job: SIGTERM, then SIGKILL after the grace period")
            .Produces<JobView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SubmitAsync(
        HttpContext context, JobSubmission submission, CallerResolver callers, CancellationToken cancellationToken)
    {
        var (spec, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.JobSpec, cancellationToken);
        if (spec is null)
        {
            return refused!;
        }
        var (key, keyRefused) = IdempotencyKeyHeader.Read(context.Request, spec);
        if (keyRefused is not null)
        {
            // An invalid spec is named before a malformed header.
            var validation = submission.Validate(spec);
            return validation.IsValid ? keyRefused : Problems.Validation(validation.Errors);
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return await submission.SubmitAsync(caller, spec, key, cancellationToken) switch
        {
            SubmitOutcome.Stored stored => TypedResults.Created(
                stored.Array ? $"/api/v1/arrays/{stored.First.Id}" : $"/api/v1/jobs/{stored.First.Id}", JobView.From(stored.First)),
            SubmitOutcome.Replayed replayed => IdempotencyKeyHeader.Replayed(replayed, context),
            SubmitOutcome.KeyReused reused => IdempotencyKeyHeader.Reused(reused),
            SubmitOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
            SubmitOutcome.UnknownDependency unknown => Problems.Field(SubmitOutcome.UnknownDependency.Field, unknown.Message),
            SubmitOutcome.Forbidden forbidden => Problems.ForbiddenField(forbidden.Field, forbidden.Reason),
            SubmitOutcome.TooManyPending tooMany => TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many pending jobs", detail: tooMany.Message),
            SubmitOutcome.OverQuota over => TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Over quota", detail: over.Reason),
            var other => throw new InvalidOperationException($"unknown submit outcome {other}"),
        };
    }

    private static async Task<IResult> ListAsync(HttpContext context, IJobStore store, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (!JobListQuery.TryParse(context.Request.Query, caller, out var query, out var refused))
        {
            return refused;
        }
        return TypedResults.Ok(await ListPageAsync(store, query, cancellationToken));
    }

    /// <summary>The page of jobs a query asks for, as GET /jobs answers it (and its live view, GET /jobs/events, sends it).</summary>
    internal static async Task<JobList> ListPageAsync(IJobStore store, JobQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(query, cancellationToken);
        return new JobList([.. page.Items.Select(j => JobView.From(j))], page.Total, query.Offset, query.Limit);
    }

    private static async Task<IResult> GetAsync(long id, HttpContext context, IJobStore store, JobAccess access, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return TypedResults.Ok(await DetailedViewAsync(store, dirs, job, cancellationToken));
    }

    /// <summary>A job with its timeline and details, as GET /jobs/{id} (and its live view) answers it.</summary>
    internal static async Task<JobView> DetailedViewAsync(IJobStore store, JobDirectory dirs, Job job, CancellationToken cancellationToken) =>
        JobView.From(job, await store.GetEventsAsync(job.Id, cancellationToken), withDetails: true) with { Directory = DirectoryState(dirs, job) };

    /// <summary>What the job's directory is now (present, archived, removed), or null before it exists.</summary>
    internal static string? DirectoryState(JobDirectory dirs, Job job) => dirs.StateOf(job.Id) switch
    {
        JobDirectoryState.Present => "present",
        JobDirectoryState.Archived => "archived",
        _ when job.State.IsTerminal() => "removed",
        _ => null,
    };

    private static async Task<IResult> KillAsync(
        long id, HttpContext context, JobControl control, CallerResolver callers, CancellationToken cancellationToken) =>
        Controlled(await control.KillAsync(await callers.ResolveAsync(context, cancellationToken), id, cancellationToken), accepted: true);

    /// <summary>
    /// The answer to a control of one job: 200 with the job (202 and its Location for a kill or requeue, which the
    /// executor completes), else the refusal as problem details.
    /// </summary>
    internal static IResult Controlled(ControlOutcome outcome, bool accepted = false) => outcome switch
    {
        ControlOutcome.Done { Job: var job } when accepted => TypedResults.Accepted($"/api/v1/jobs/{job.Id}", JobView.From(job)),
        ControlOutcome.Done { Job: var job } => TypedResults.Ok(JobView.From(job)),
        ControlOutcome.NotFound notFound => Problems.JobNotFound(notFound.JobId),
        ControlOutcome.Forbidden forbidden => Problems.Forbidden(forbidden.Reason),
        ControlOutcome.Conflict conflict => Problems.Conflict(conflict.Reason),
        ControlOutcome.Unavailable unavailable => Problems.Unavailable(unavailable.Reason),
        ControlOutcome.Invalid invalid => Problems.Field(invalid.Field, invalid.Message),
        _ => throw new InvalidOperationException($"unknown control outcome {outcome}"),
    };

    internal static bool TryInt(Microsoft.Extensions.Primitives.StringValues values, int fallback, int min, int max, out int value)
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

    internal static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        string.IsNullOrEmpty(values.LastOrDefault()) ? null : values.LastOrDefault();
}
