using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.UseCases;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>POST /api/v1/admin/purge: an administrator clears old ended jobs (directories and records; accounting stays).</summary>
internal static class PurgeApi
{
    public static void MapPurge(this IEndpointRouteBuilder api)
    {
        api.MapPost("/admin/purge", PurgeAsync).RequireAuthorization(AuthApi.AdminPolicy)
            .WithName("PurgeJobs").WithSummary("Remove old ended jobs' directories and records (dryRun: list only); accounting records stay")
            .Accepts<PurgeRequest>("application/json").Produces<PurgeView>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> PurgeAsync(
        HttpContext context, JobPurge purge, CallerResolver callers, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, refused) = await JsonBody.ReadAsync(context, GoDockerJson.Default.PurgeRequest, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset? before = null;
        var body = request!;
        switch (body)
        {
            case { OlderThan: not null, EndedBefore: not null }:
                errors["olderThan"] = ["give olderThan or endedBefore, not both"];
                break;
            case { OlderThan: { } olderThan }:
                if (Walltime.TryParse(olderThan, out var age))
                {
                    before = time.GetUtcNow() - age;
                }
                else
                {
                    errors["olderThan"] = [$"'{olderThan}' is not a duration (30d, 12h, 90m, D-HH:MM:SS)"];
                }
                break;
            case { EndedBefore: { } endedBefore }:
                before = endedBefore;
                break;
            default:
                // A purge of everything by default is one typo away from losing every result: an age is required.
                errors["olderThan"] = ["olderThan (or endedBefore) is required"];
                break;
        }
        var states = new List<JobState>();
        foreach (var text in body.States ?? [])
        {
            if (!Enum.TryParse<JobState>(text, ignoreCase: true, out var state) || !Enum.IsDefined(state) || int.TryParse(text, out _))
            {
                errors["states"] = [$"'{text}' is not a job state"];
            }
            else if (!state.IsTerminal())
            {
                errors["states"] = [$"'{text}' has not ended: a purge never touches pending or running jobs"];
            }
            else
            {
                states.Add(state);
            }
        }
        if (body.User is "")
        {
            errors["user"] = ["is empty"];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var query = new PurgeQuery(before!.Value) { Owner = body.User, States = states.Count == 0 ? null : states };
        return TypedResults.Ok(await purge.PurgeAsync(query, body.DryRun, caller.Login, cancellationToken));
    }
}
