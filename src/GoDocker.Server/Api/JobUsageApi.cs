using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Server.UseCases;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/jobs/{id}/usage: a job's measured usage, seen by whoever may see the job (<see cref="JobUsageReport"/>).</summary>
internal static class JobUsageApi
{
    public static void MapJobUsage(this IEndpointRouteBuilder api)
    {
        api.MapGet("/jobs/{id:long}/usage", UsageAsync)
            .WithName("GetJobUsage")
            .WithSummary("A job's sampled usage: its attempt's totals and peaks, what it uses now, and the kept series (?attempt=, ?since=)")
            .Produces<JobUsageView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> UsageAsync(long id, HttpContext context, JobAccess access, JobUsageReport report, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        int? attempt = null;
        if (query.ContainsKey("attempt"))
        {
            if (!int.TryParse(query["attempt"].LastOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var given) || given < 1)
            {
                return Problems.Field("attempt", "attempt must be a whole number ≥ 1");
            }
            attempt = given;
        }
        DateTimeOffset? since = null;
        if (query.ContainsKey("since"))
        {
            if (!DateTimeOffset.TryParse(query["since"].LastOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var after))
            {
                return Problems.Field("since", "since must be a time, e.g. 2026-12-03T21:00:00Z");
            }
            since = after;
        }
        var (job, _, refused) = await access.SeeAsync(id, context, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return TypedResults.Ok(await report.ForAsync(job, attempt, since, cancellationToken));
    }
}
