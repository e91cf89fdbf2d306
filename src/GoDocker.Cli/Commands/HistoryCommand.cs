using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using GoDocker.Cli.Api;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Usage;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker history`, as sacct: the accounting records of ended attempts (a requeued attempt and the next are two
/// lines), filtered by user, project, state, job and end time, in the columns of --format, as a table, json or csv.
/// As sacct, with neither --starttime nor --jobs only what ended since midnight is listed.
/// </summary>
internal static partial class HistoryCommand
{
    private const int PageSize = 1000;

    public static Command Create(GlobalOptions global)
    {
        var user = new Option<string>("--user", "-u") { Description = "Only this user's jobs", HelpName = "USER" };
        var project = new Option<string>("--project", "-A", "--account") { Description = "Only this project's jobs", HelpName = "PROJECT" };
        var states = new Option<string[]>("--state", "-s")
        {
            Description = $"Only records in this state (repeatable, or comma-separated): {string.Join(", ", Enum.GetNames<AccountedState>())}",
            HelpName = "STATE",
        };
        states.Validators.Add(r => Validate(r, v => ParseStates([v])));
        var start = new Option<string>("--starttime", "-S")
        {
            Description = "Only what ended at or after this time: 2026-12-03, 2026-12-03T10:00[:00][Z|+01:00], now, now-7days, today (default: midnight)",
            HelpName = "TIME",
        };
        start.Validators.Add(r => Validate(r, v => ParseTime(v, DateTimeOffset.Now, TimeZoneInfo.Local)));
        var end = new Option<string>("--endtime", "-E") { Description = "Only what ended before this time (same forms)", HelpName = "TIME" };
        end.Validators.Add(r => Validate(r, v => ParseTime(v, DateTimeOffset.Now, TimeZoneInfo.Local)));
        var jobs = new Option<string[]>("--jobs", "-j") { Description = "Only these jobs (repeatable, or comma-separated)", HelpName = "ID" };
        jobs.Validators.Add(r => Validate(r, v => ParseJobs([v])));
        var format = new Option<string>("--format")
        {
            Description = $"Columns, comma-separated, any case (--helpformat lists them; default {HistoryColumns.Default})",
            HelpName = "COLUMNS",
            DefaultValueFactory = _ => HistoryColumns.Default,
        };
        format.Validators.Add(r => Validate(r, v => HistoryColumns.Parse(v)));
        var helpFormat = new Option<bool>("--helpformat", "-e") { Description = "List the columns --format knows, and exit" };
        var output = OutputOption.Create("table", "json", "csv");

        var command = new Command("history", "Accounting records of ended jobs, as sacct")
        {
            user, project, states, start, end, jobs, format, helpFormat, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(helpFormat))
            {
                await Console.Out.WriteAsync(FormatHelp().AsMemory(), cancellationToken);
                return ExitCodes.Ok;
            }
            var now = DateTimeOffset.Now;
            var ids = ParseJobs(parse.GetValue(jobs));
            var since = parse.GetValue(start) is { } s ? ParseTime(s, now, TimeZoneInfo.Local)
                : ids.Count == 0 ? Midnight(now, TimeZoneInfo.Local) : (DateTimeOffset?)null;
            var query = new HistoryQuery
            {
                User = parse.GetValue(user),
                Project = parse.GetValue(project),
                States = ParseStates(parse.GetValue(states)),
                Jobs = ids,
                Since = since,
                Until = parse.GetValue(end) is { } e ? ParseTime(e, now, TimeZoneInfo.Local) : null,
            };
            var client = global.CreateClient(parse);
            var records = new List<AccountingView>();
            long total;
            do
            {
                var result = await client.ListAccountingAsync(query with { Offset = records.Count, Limit = PageSize }, cancellationToken);
                if (!result.IsOk)
                {
                    return await ProblemReport.WriteAsync(result.Problem, cancellationToken);
                }
                records.AddRange(result.Value.Items);
                total = result.Value.Total;
                if (result.Value.Items.Count == 0)
                {
                    break; // records went away meanwhile: what was read is the answer
                }
            }
            while (records.Count < total);
            var text = parse.GetValue(output) switch
            {
                "json" => null,
                "csv" => HistoryColumns.Csv(records, HistoryColumns.Parse(parse.GetValue(format)!)),
                _ => HistoryColumns.Table(records, HistoryColumns.Parse(parse.GetValue(format)!)),
            };
            if (text is null)
            {
                await JsonOutput.WriteAsync(new AccountingList(records, records.Count, 0, records.Count), GoDockerJson.Default.AccountingList, cancellationToken);
                return ExitCodes.Ok;
            }
            await Console.Out.WriteAsync(text.AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string FormatHelp()
    {
        var table = new Table(new Column("COLUMN"), new Column("WHAT"));
        foreach (var column in HistoryColumns.All)
        {
            table.Add(column.Name, column.Help);
        }
        return table.Render();
    }

    internal static IReadOnlyList<AccountedState> ParseStates(IEnumerable<string>? values) =>
        [.. Listed(values).Select(v => Enum.TryParse<AccountedState>(v, ignoreCase: true, out var state) && !int.TryParse(v, out _)
            ? state
            : throw new UsageException($"--state: '{v}' is not an accounted state ({string.Join(", ", Enum.GetNames<AccountedState>())})")).Distinct()];

    internal static IReadOnlyList<long> ParseJobs(IEnumerable<string>? values) =>
        [.. Listed(values).Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new UsageException($"--jobs: '{v}' is not a job id")).Distinct()];

    /// <summary>
    /// A time as sacct takes one: an ISO 8601 date (its midnight) or date and time, in <paramref name="zone"/> unless it
    /// says its offset; now, today or midnight; now±N with a unit (seconds by default; minutes, hours, days, weeks).
    /// </summary>
    /// <exception cref="UsageException">when it is none of these.</exception>
    internal static DateTimeOffset ParseTime(string text, DateTimeOffset now, TimeZoneInfo zone)
    {
        var value = text.Trim();
        if (value.Equals("today", StringComparison.OrdinalIgnoreCase) || value.Equals("midnight", StringComparison.OrdinalIgnoreCase))
        {
            return Midnight(now, zone);
        }
        if (Relative().Match(value) is { Success: true } relative)
        {
            if (!relative.Groups["count"].Success)
            {
                return now;
            }
            var count = double.Parse(relative.Groups["count"].Value, CultureInfo.InvariantCulture) * (relative.Groups["sign"].Value == "-" ? -1 : 1);
            var unit = relative.Groups["unit"].Value.ToLowerInvariant();
            return now + unit switch
            {
                "" or "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.FromSeconds(count),
                "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.FromMinutes(count),
                "h" or "hour" or "hours" => TimeSpan.FromHours(count),
                "d" or "day" or "days" => TimeSpan.FromDays(count),
                "w" or "week" or "weeks" => TimeSpan.FromDays(7 * count),
                _ => throw new UsageException($"'{text}': '{relative.Groups["unit"].Value}' is not a unit (seconds, minutes, hours, days, weeks)"),
            };
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return InZone(date.ToDateTime(TimeOnly.MinValue), zone);
        }
        if (value.Contains('T', StringComparison.Ordinal))
        {
            var offsetGiven = OffsetAtEnd().IsMatch(value);
            if (offsetGiven && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
            {
                return withOffset;
            }
            if (!offsetGiven && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                return InZone(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
            }
        }
        throw new UsageException($"'{text}' is not a time (2026-12-03, 2026-12-03T10:00:00, 2026-12-03T10:00:00Z, now, now-7days, today)");
    }

    private static DateTimeOffset Midnight(DateTimeOffset now, TimeZoneInfo zone) =>
        InZone(TimeZoneInfo.ConvertTime(now, zone).Date, zone);

    private static DateTimeOffset InZone(DateTime wallClock, TimeZoneInfo zone) =>
        new(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), zone.GetUtcOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified)));

    private static IEnumerable<string> Listed(IEnumerable<string>? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static void Validate(OptionResult result, Action<string> parse)
    {
        foreach (var token in result.Tokens)
        {
            try
            {
                parse(token.Value);
            }
            catch (UsageException e)
            {
                result.AddError(e.Message);
            }
        }
    }

    [GeneratedRegex(@"^now(?:(?<sign>[+-])(?<count>\d+(?:\.\d+)?)(?<unit>[a-z]*))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Relative();

    [GeneratedRegex(@"(Z|[+-]\d\d:?\d\d)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OffsetAtEnd();
}
