using System.Globalization;
using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Primitives;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/accounting: the records of ended attempts (<see cref="AccountingHistory"/>); this only translates HTTP.</summary>
internal static class AccountingApi
{
    public static void MapAccounting(this IEndpointRouteBuilder api)
    {
        api.MapGet("/accounting", ListAsync)
            .WithName("ListAccounting")
            .WithSummary("Accounting records of ended attempts (sacct); filter by user, project, state and job (repeatable or comma-separated), "
                + "end time (since included, until excluded, ISO 8601); page with offset and limit")
            .Produces<AccountingList>().ProducesValidationProblem();
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccountingHistory history, CallerResolver callers, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var states = new List<AccountedState>();
        foreach (var value in Listed(query["state"]))
        {
            if (!Enum.TryParse<AccountedState>(value, ignoreCase: true, out var state) || !Enum.IsDefined(state))
            {
                return Problems.Field("state", $"'{value}' is not an accounted state ({string.Join(", ", Enum.GetNames<AccountedState>())})");
            }
            states.Add(state);
        }
        var jobs = new List<long>();
        foreach (var value in Listed(query["job"]))
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return Problems.Field("job", $"'{value}' is not a job id");
            }
            jobs.Add(id);
        }
        if (!TryTime(query["since"], out var since))
        {
            return Problems.Field("since", $"'{query["since"]}' is not an ISO 8601 date or time (2026-12-03, 2026-12-03T10:00:00Z)");
        }
        if (!TryTime(query["until"], out var until))
        {
            return Problems.Field("until", $"'{query["until"]}' is not an ISO 8601 date or time (2026-12-03, 2026-12-03T10:00:00Z)");
        }
        if (since is not null && until is not null && until < since)
        {
            return Problems.Field("until", "until is before since");
        }
        if (!JobsApi.TryInt(query["offset"], 0, 0, int.MaxValue, out var offset))
        {
            return Problems.Field("offset", "offset must be a whole number ≥ 0");
        }
        if (!JobsApi.TryInt(query["limit"], 100, 1, AccountingHistory.MaxPageSize, out var limit))
        {
            return Problems.Field("limit", $"limit must be a whole number from 1 to {AccountingHistory.MaxPageSize}");
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var page = await history.ListAsync(caller, new AccountingQuery
        {
            Owner = JobsApi.NullIfEmpty(query["user"]),
            Project = JobsApi.NullIfEmpty(query["project"]),
            States = states,
            JobIds = jobs,
            Since = since,
            Until = until,
            Offset = offset,
            Limit = limit,
        }, cancellationToken);
        return TypedResults.Ok(new AccountingList([.. page.Items.Select(AccountingView.From)], page.Total, offset, limit));
    }

    private static IEnumerable<string> Listed(StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>An ISO 8601 time with an offset, or a date alone (its midnight, UTC); none given is null.</summary>
    private static bool TryTime(StringValues values, out DateTimeOffset? at)
    {
        at = null;
        var text = values.LastOrDefault();
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            at = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        // A time without an offset is read as UTC: the server's local zone is nobody's.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && text.Contains('T', StringComparison.Ordinal))
        {
            at = parsed;
            return true;
        }
        return false;
    }
}
