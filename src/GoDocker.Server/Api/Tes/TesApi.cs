using System.Globalization;
using System.Text;
using GoDocker.Access;
using GoDocker.Contracts.Tes;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using GoDocker.Tes;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api.Tes;

/// <summary>
/// GA4GH Task Execution Service 1.1 under /ga4gh/tes/v1 (docs/notes/tes-design.md): a task is one job, its id the
/// job's. Creating goes through <see cref="TaskSubmission"/> (then <see cref="JobSubmission"/>), cancelling through
/// <see cref="JobControl"/>, reading through the access policy: the same rights, quotas and records as the REST API.
/// Every body is written with <see cref="TesJson"/> (snake_case), never the REST API's camelCase options.
/// </summary>
internal static class TesApi
{
    public const string Prefix = "/ga4gh/tes/v1";

    public static void MapTes(this IEndpointRouteBuilder app)
    {
        var tes = app.MapGroup(Prefix).WithTags("GA4GH TES");
        tes.MapGet("/service-info", ServiceInfoAsync).AllowAnonymous()
            .WithName("TesServiceInfo").WithSummary("TES service-info: what this service is and which backend parameters it takes");
        tes.MapPost("/tasks", CreateAsync)
            .WithName("TesCreateTask").WithSummary("Create a TES task: 200 with its id");
        tes.MapGet("/tasks", ListAsync)
            .WithName("TesListTasks").WithSummary("List TES tasks, newest first: view, name_prefix, state, tag_key/tag_value, page_size, page_token");
        tes.MapGet("/tasks/{id}", GetAsync)
            .WithName("TesGetTask").WithSummary("A TES task in the MINIMAL (default), BASIC or FULL view");
        // A complex segment: the literal ':cancel' after the parameter (inside braces a colon would start a constraint).
        tes.MapPost("/tasks/{id}:cancel", CancelAsync)
            .WithName("TesCancelTask").WithSummary("Cancel a TES task");
    }

    private static async Task<IResult> ServiceInfoAsync(HttpContext context, CallerResolver callers, JobSubmission submission, IOptions<GoDockerOptions> options, CancellationToken cancellationToken)
    {
        var site = options.Value;
        var publicUrl = site.Server.PublicUrls.FirstOrDefault() ?? $"{context.Request.Scheme}://{context.Request.Host}";
        var host = Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) ? uri.Host : "localhost";
        var storage = new List<string>();
        if (context.User.Identity?.IsAuthenticated == true)
        {
            // Where the caller's files may be: the host paths of the volumes granted to them (their default project's).
            var caller = await callers.ResolveAsync(context, cancellationToken);
            var runAs = await submission.RunAsAsync(caller, cancellationToken);
            var rules = site.Volumes.Select(v => v.ToRule()).ToList();
            foreach (var offer in VolumePolicy.Offered(rules, caller).Where(o => o.Projects.Count == 0))
            {
                var (mounts, refusal) = VolumePolicy.Plan([offer.Name], rules, caller, runAs, Project.Default, root: false);
                if (refusal is null)
                {
                    storage.AddRange(mounts.Select(m => "file://" + m.HostPath));
                }
            }
        }
        return TypedResults.Json(new TesServiceInfo
        {
            Id = site.Tes.ServiceId ?? "org.godocker." + host,
            Name = "GoDocker",
            Type = new TesServiceType("org.ga4gh", "tes", "1.1.0"),
            Description = "GoDocker batch scheduler: each task runs as its owner in one container, with the site's quotas and volumes",
            Organization = new TesOrganization(site.Tes.OrganizationName ?? "GoDocker", site.Tes.OrganizationUrl ?? publicUrl),
            DocumentationUrl = "https://github.com/godocker/godocker#workflow-managers",
            Version = HealthApi.Version,
            Storage = storage,
            BackendParameters = TesTaskReader.BackendParameters,
        }, TesJson.Default.TesServiceInfo);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, TaskSubmission submission, CallerResolver callers, CancellationToken cancellationToken)
    {
        var (task, refused) = await JsonBody.ReadAsync(context, TesJson.Default.TesTask, cancellationToken);
        if (task is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return await submission.SubmitAsync(caller, task, cancellationToken) switch
        {
            SubmitOutcome.Stored stored => TypedResults.Json(new TesCreateTaskResponse(TesViews.Id(stored.First)), TesJson.Default.TesCreateTaskResponse),
            SubmitOutcome.Invalid invalid => Problems.Validation(invalid.Errors, "the task has invalid fields"),
            SubmitOutcome.Forbidden forbidden => Problems.ForbiddenField(forbidden.Field, forbidden.Reason),
            SubmitOutcome.TooManyPending tooMany => TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many pending jobs", detail: tooMany.Message),
            SubmitOutcome.OverQuota over => TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Over quota", detail: over.Reason),
            var other => throw new InvalidOperationException($"unexpected submit outcome for a task: {other}"),
        };
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken cancellationToken)
    {
        if (!TryView(context.Request.Query["view"], out var view))
        {
            return Problems.Field("view", "MINIMAL, BASIC or FULL");
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        // Another user's task, a REST job's id, a malformed id: all answered as a task that does not exist.
        if (ParseId(id) is not { } jobId || await store.GetAsync(jobId, cancellationToken) is not { Spec.Tes: not null } job || !policy.CanSee(caller, job))
        {
            return Problems.NotFound("No such task", $"task {id} does not exist");
        }
        return TypedResults.Json(await TesViews.ViewAsync(job, view, dirs, cancellationToken), TesJson.Default.TesTask);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken cancellationToken)
    {
        if (!TryView(context.Request.Query["view"], out var view))
        {
            return Problems.Field("view", "MINIMAL, BASIC or FULL");
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (!TesListQuery.TryParse(context.Request.Query, out var query, out var refusal))
        {
            return Problems.Field(refusal!.Value.Field, refusal.Value.Message);
        }
        var tasks = new List<TesTask>();
        var scanned = 0;
        long? below = query.After;
        var more = true;
        // A bounded scan per request: filters the store cannot apply (tags, the exact TES state) may leave a page short,
        // even empty with a token, as the specification allows; a client follows tokens until there is none.
        var budget = Math.Max(4 * query.PageSize, 1024);
        while (tasks.Count < query.PageSize && scanned < budget && more)
        {
            var chunk = Math.Min(query.PageSize + 1, budget - scanned);
            var page = await store.ListAsync(new JobQuery
            {
                Tag = TesTaskSpec.Tag,
                // As GET /api/v1/jobs: everyone but admins sees their own tasks and those of the projects they manage.
                VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
                States = query.State is { } state ? TesStates.JobStatesOf(state) : null,
                NamePrefix = query.NamePrefix,
                IdBelow = below,
                Sort = new JobSort(JobSortKey.Id, Descending: true),
                Limit = chunk,
            }, cancellationToken);
            more = page.Items.Count == chunk;
            foreach (var job in page.Items)
            {
                scanned++;
                below = job.Id;
                if (job.Spec.Tes is null || !query.TagsMatch(job.Spec.Labels))
                {
                    continue;
                }
                var shown = await TesViews.ViewAsync(job, view, dirs, cancellationToken);
                if (query.State is { } wanted && shown.State != wanted)
                {
                    continue;
                }
                tasks.Add(shown);
                if (tasks.Count == query.PageSize)
                {
                    more = more || !ReferenceEquals(job, page.Items[^1]);
                    break;
                }
            }
        }
        var response = new TesListTasksResponse(tasks) { NextPageToken = more && below is { } last ? TesListQuery.Token(last) : null };
        return TypedResults.Json(response, TesJson.Default.TesListTasksResponse);
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (ParseId(id) is not { } jobId || await store.GetAsync(jobId, cancellationToken) is not { Spec.Tes: not null } job || !policy.CanSee(caller, job))
        {
            return Problems.NotFound("No such task", $"task {id} does not exist");
        }
        if (job.State.IsTerminal())
        {
            // Cancelling an ended task changes nothing, and is no error: a client may race the end.
            return TypedResults.Json(new TesCancelTaskResponse(), TesJson.Default.TesCancelTaskResponse);
        }
        return await control.KillAsync(caller, jobId, cancellationToken) switch
        {
            ControlOutcome.Done => TypedResults.Json(new TesCancelTaskResponse(), TesJson.Default.TesCancelTaskResponse),
            ControlOutcome.NotFound => Problems.NotFound("No such task", $"task {id} does not exist"),
            ControlOutcome.Forbidden forbidden => Problems.Forbidden(forbidden.Reason),
            ControlOutcome.Conflict conflict => Problems.Conflict(conflict.Reason),
            ControlOutcome.Unavailable unavailable => Problems.Unavailable(unavailable.Reason),
            var other => throw new InvalidOperationException($"unexpected control outcome for a cancel: {other}"),
        };
    }

    /// <summary>A task id is a job id in decimal, nothing else (no sign, no spaces, no leading zero).</summary>
    private static long? ParseId(string id) =>
        id.Length is > 0 and <= 19 && id[0] is >= '1' and <= '9' && id.All(char.IsAsciiDigit)
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static bool TryView(Microsoft.Extensions.Primitives.StringValues values, out TesView view)
    {
        view = TesView.Minimal;
        var text = values.LastOrDefault();
        switch (text)
        {
            case null or "" or "MINIMAL":
                return true;
            case "BASIC":
                view = TesView.Basic;
                return true;
            case "FULL":
                view = TesView.Full;
                return true;
            default:
                return false;
        }
    }
}

/// <summary>GET /tasks's filters and page, checked (each mistake names its parameter).</summary>
internal sealed record TesListQuery(int PageSize, long? After, string? NamePrefix, TesState? State, IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    public const int DefaultPageSize = 256;
    public const int MaxPageSize = 2047;

    /// <summary>
    /// The specification's tag filter: every key present in the task's tags and, when its value is not empty, equal;
    /// an empty value (or a key with no value at its position) only asks for the key.
    /// </summary>
    public bool TagsMatch(IReadOnlyDictionary<string, string> tags) =>
        Tags.All(t => tags.TryGetValue(t.Key, out var value) && (t.Value.Length == 0 || value == t.Value));

    /// <summary>Opaque to clients: where the next page resumes (the last id scanned), versioned.</summary>
    public static string Token(long lastId) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("1:" + lastId.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryParse(IQueryCollection query, out TesListQuery parsed, out (string Field, string Message)? refusal)
    {
        parsed = new TesListQuery(DefaultPageSize, null, null, null, []);
        refusal = null;
        var pageSize = DefaultPageSize;
        if (query["page_size"].LastOrDefault() is { Length: > 0 } size
            && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            refusal = ("page_size", $"from 1 to {MaxPageSize}");
            return false;
        }
        long? after = null;
        if (query["page_token"].LastOrDefault() is { Length: > 0 } token)
        {
            if (DecodeToken(token) is not { } id)
            {
                refusal = ("page_token", "not a token this server gave (start again without one)");
                return false;
            }
            after = id;
        }
        TesState? state = null;
        if (query["state"].LastOrDefault() is { Length: > 0 } stateText)
        {
            if (!Enum.GetValues<TesState>().Any(s => Wire(s) == stateText))
            {
                refusal = ("state", $"'{stateText}' is not a tesState ({string.Join(", ", Enum.GetValues<TesState>().Select(Wire))})");
                return false;
            }
            state = Enum.GetValues<TesState>().First(s => Wire(s) == stateText);
        }
        var keys = query["tag_key"];
        var values = query["tag_value"];
        if (values.Count > keys.Count)
        {
            refusal = ("tag_value", "more tag_value than tag_key: each value goes with the tag_key at its position");
            return false;
        }
        var tags = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < keys.Count; i++)
        {
            tags.Add(new(keys[i] ?? "", i < values.Count ? values[i] ?? "" : ""));
        }
        var prefix = query["name_prefix"].LastOrDefault();
        parsed = new TesListQuery(pageSize, after, string.IsNullOrEmpty(prefix) ? null : prefix, state, tags);
        return true;
    }

    private static string Wire(TesState state) => System.Text.Json.JsonSerializer.Serialize(state, TesStateJson.Default.TesState).Trim('"');

    private static long? DecodeToken(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("1:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(TesState))]
internal sealed partial class TesStateJson : System.Text.Json.Serialization.JsonSerializerContext;
