using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using GoDocker.Usage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api.Compat10;

/// <summary>
/// The original GoDocker 1.0 REST API under /api/1.0 (docs/notes/godocker10-design.md), as godjob and Galaxy's godocker
/// runner call it: HTTP and documents translated here, everything else done by today's use cases (submission through
/// <see cref="JobSubmission"/>, control through <see cref="JobControl"/>, reading through the access policy). Off
/// unless Compat:GoDocker10:Enabled (it opens an anonymous /config). Not in the OpenAPI description: it is not this
/// server's API but an old one spoken for old clients, documented in the README.
/// Every answer is 200 on success (Galaxy fails on any other code) and JSON; a refusal is a problem details body that
/// also carries 1.0's "msg" (what godjob prints), "errors" by field path and, for a submit, "id": null.
/// </summary>
internal static class Compat10Api
{
    public const string Prefix = "/api/1.0";

    public static void MapCompat10(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).ExcludeFromDescription();
        api.MapPost("/authenticate", AuthenticateAsync).AllowAnonymous();
        api.MapGet("/config", Config).AllowAnonymous();
        api.MapPost("/task", SubmitAsync);
        api.MapGet("/task/active", (HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken ct) =>
            ActiveAsync(all: false, context, store, callers, dirs, ct));
        api.MapGet("/task/active/all", (HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken ct) =>
            ActiveAsync(all: true, context, store, callers, dirs, ct));
        // godjob list over sends a POST with no body; a GET is read the same.
        api.MapMethods("/task/over/{skip}/{limit}", ["GET", "POST"], (string skip, string limit, HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken ct) =>
            OverAsync(all: false, skip, limit, context, store, callers, dirs, ct));
        api.MapMethods("/task/over/all/{skip}/{limit}", ["GET", "POST"], (string skip, string limit, HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken ct) =>
            OverAsync(all: true, skip, limit, context, store, callers, dirs, ct));
        api.MapGet("/user/{login}/project", ProjectsAsync);
        api.MapGet("/user/{login}/usage", UsageAsync);
        api.MapDelete("/user/{login}/task", KillAllAsync);
        api.MapGet("/user/{login}", UserAsync);
        api.MapGet("/task/{id}", GetAsync);
        api.MapGet("/task/{id}/status", StatusAsync);
        api.MapDelete("/task/{id}", KillAsync);
        api.MapGet("/task/{id}/files", (string id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken ct) =>
            FilesAsync(id, null, context, store, callers, policy, dirs, ct));
        api.MapGet("/task/{id}/files/{**path}", FilesAsync);
        api.MapGet("/task/{id}/archive", ArchiveAsync);
        // godjob archive --purge: a job's records are the site's accounting; purging stays POST /api/v1/admin/purge.
        api.MapDelete("/task/{id}/archive", () => Refusal(StatusCodes.Status403Forbidden,
            "purge: a task's records are kept for accounting; an administrator purges with POST /api/v1/admin/purge", "purge"));
        // godjob update: requirements of a queued job are not changed in place.
        api.MapPut("/task/{id}", () => Refusal(StatusCodes.Status400BadRequest, "requirement updates are not supported; kill and resubmit", "name"));
        // GETs, as the original (godjob and the runner send GET for both).
        api.MapGet("/task/{id}/suspend", (string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken ct) =>
            ControlAsync(id, context, store, callers, policy, dirs, (caller, jobId) => control.SuspendAsync(caller, jobId, ct),
                (caller, arrayId) => control.SuspendArrayAsync(caller, arrayId, ct), ct));
        api.MapGet("/task/{id}/resume", (string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken ct) =>
            ControlAsync(id, context, store, callers, policy, dirs, (caller, jobId) => control.ResumeAsync(caller, jobId, ct),
                (caller, arrayId) => control.ResumeArrayAsync(caller, arrayId, ct), ct));
    }

    private static async Task<IResult> AuthenticateAsync(HttpContext context, IAccountStore accounts, AuthOptions auth, LoginThrottle throttle, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadAsync(context, cancellationToken);
        if (body is null)
        {
            return refused!;
        }
        var user = body["user"] is JsonValue u && u.GetValueKind() == JsonValueKind.String ? u.GetValue<string>() : null;
        var key = body["apikey"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(key))
        {
            var field = string.IsNullOrEmpty(user) ? "user" : "apikey";
            return Refusal(StatusCodes.Status400BadRequest, $"{field}: required (a string)", field);
        }
        if (auth.IsNone)
        {
            // Every request is the site's local user in this mode (loopback only): any key will do, and none is needed.
            return Json(new JsonObject { ["token"] = "none" });
        }
        // Counted as the v1 password login is (the same counts, by login and address): a guess here is a guess there.
        // Reserved before the key is checked, so parallel guesses check at most the limit.
        var (attempt, retryAfter) = await throttle.ReserveAsync(user, context.Connection.RemoteIpAddress, cancellationToken);
        if (attempt is null)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Refusal(StatusCodes.Status429TooManyRequests, $"too many failed logins: try again in {seconds} seconds", "apikey");
        }
        UserAccount? account;
        try
        {
            // The API key is a personal token of today (POST /api/v1/tokens) and the answer is that same key: Galaxy never
            // authenticates again, so a token shorter-lived than the key would stop it silently; revoking the key ends it.
            var token = await accounts.UseTokenAsync(TokenSecrets.Hash(key), cancellationToken);
            account = token is null || token.Login != user ? null : await accounts.GetUserAsync(token.Login, cancellationToken);
        }
        catch
        {
            await throttle.AbandonedAsync(attempt, CancellationToken.None);
            throw;
        }
        if (account is null || account.Disabled)
        {
            // One sentence for every case: which logins exist is not told.
            return Refusal(StatusCodes.Status401Unauthorized, "invalid user or API key", "apikey");
        }
        await throttle.SucceededAsync(attempt, cancellationToken);
        return Json(new JsonObject { ["token"] = key });
    }

    private static ContentHttpResult Config(IOptions<GoDockerOptions> options, NodeRegistry nodes)
    {
        var site = options.Value;
        var images = new JsonArray { new JsonObject { ["name"] = site.Jobs.DefaultImage, ["url"] = site.Jobs.DefaultImage, ["interactive"] = false, ["default"] = true } };
        // Exact references only: a pattern is no image a client could offer; the submit policy decides either way.
        foreach (var image in site.Images.Allowed.Where(i => i != site.Jobs.DefaultImage && !i.Contains('*') && !i.Contains('?')))
        {
            images.Add(new JsonObject { ["name"] = image, ["url"] = image, ["interactive"] = false, ["default"] = false });
        }
        var volumes = new JsonArray();
        foreach (var volume in site.Volumes)
        {
            // Names and configured container paths only: who may mount what is decided at submit, and host paths are not
            // told anonymously (a volume without a container path is mounted at its host path, so none is shown).
            var offered = new JsonObject { ["name"] = volume.Name, ["acl"] = volume.Mode == VolumeMode.Ro ? "ro" : "rw" };
            if (!string.IsNullOrEmpty(volume.ContainerPath))
            {
                offered["mount"] = volume.ContainerPath;
            }
            volumes.Add(offered);
        }
        var constraints = new JsonArray();
        foreach (var label in nodes.Nodes.SelectMany(n => n.Labels).GroupBy(l => l.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            constraints.Add(new JsonObject
            {
                ["name"] = label.Key,
                ["value"] = new JsonArray([.. label.Select(l => l.Value).Distinct().Order(StringComparer.Ordinal).Select(v => (JsonNode?)JsonValue.Create(v))]),
            });
        }
        return Json(new JsonObject
        {
            ["images"] = images,
            ["volumes"] = volumes,
            ["constraints"] = constraints,
            // Swarm services cannot be paused: godjob then says suspend is not allowed instead of failing.
            ["executor_features"] = site.Executor.Type == ExecutorType.Docker ? new JsonArray { "pause" } : new JsonArray(),
        });
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, JobSubmission submission, CallerResolver callers, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadAsync(context, cancellationToken);
        if (body is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var (spec, errors) = TaskDocuments.Read(body, caller.Login);
        if (spec is null)
        {
            return Refusal(StatusCodes.Status400BadRequest, Sentence(errors), errors, submit: true);
        }
        // Every policy refusal is a 400 here (v1 says 403): godjob prints a 403 as a fixed "Forbidden" and loses the reason.
        return await submission.SubmitAsync(caller, spec, key: null, cancellationToken) switch
        {
            SubmitOutcome.Stored stored => Json(new JsonObject
            {
                ["msg"] = stored.Array ? $"Array of {stored.Jobs.Count} tasks submitted" : "Task submitted",
                ["id"] = stored.Jobs[0].Id,
            }),
            SubmitOutcome.Invalid invalid => Refusal(StatusCodes.Status400BadRequest, Sentence(invalid.Errors), invalid.Errors, submit: true),
            SubmitOutcome.UnknownDependency unknown => Refusal(StatusCodes.Status400BadRequest,
                $"requirements.tasks: task {unknown.JobId} does not exist", "requirements.tasks", submit: true),
            SubmitOutcome.Forbidden forbidden => Refusal(StatusCodes.Status400BadRequest, $"{Field10(forbidden.Field)}: {forbidden.Reason}", Field10(forbidden.Field), submit: true),
            SubmitOutcome.TooManyPending tooMany => Refusal(StatusCodes.Status429TooManyRequests, tooMany.Message, "requirements", submit: true),
            SubmitOutcome.OverQuota over => Refusal(StatusCodes.Status429TooManyRequests, over.Reason, "requirements", submit: true),
            var other => throw new InvalidOperationException($"unexpected submit outcome for a 1.0 task: {other}"),
        };
    }

    private static readonly JobState[] Active = [JobState.Pending, JobState.Scheduled, JobState.Running, JobState.Suspended];
    private static readonly JobState[] Over = [JobState.Succeeded, JobState.Failed, JobState.Killed, JobState.Rejected, JobState.Archived];

    /// <summary>
    /// The caller's own unfinished tasks, newest first (godjob list active; godbatch), or with <paramref name="all"/> every
    /// user's (godjob list activeall): administrators only, as in 1.0.
    /// </summary>
    private static async Task<IResult> ActiveAsync(bool all, HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (all && !caller.Admin)
        {
            return AdminsOnly();
        }
        var page = await store.ListAsync(new JobQuery
        {
            Owner = all ? null : caller.Login, States = Active, Sort = new JobSort(JobSortKey.Id, Descending: true), Limit = JobsApi.MaxPageSize,
        }, cancellationToken);
        return Json(new JsonArray([.. page.Items.Select(j => (JsonNode?)TaskDocuments.Document(j, dirs.PathFor(j.Id)))]));
    }

    /// <summary>
    /// The caller's ended tasks (or, with <paramref name="all"/>, every user's: administrators only), last ended first,
    /// from skip; limit 0 is "all" in 1.0 (godjob --all, search), here the API's page size.
    /// </summary>
    private static async Task<IResult> OverAsync(bool all, string skip, string limit, HttpContext context, IJobStore store, CallerResolver callers, JobDirectory dirs, CancellationToken cancellationToken)
    {
        if (!int.TryParse(skip, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return Refusal(StatusCodes.Status400BadRequest, "skip: a whole number of tasks to skip", "skip");
        }
        if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > JobsApi.MaxPageSize)
        {
            return Refusal(StatusCodes.Status400BadRequest, $"limit: a whole number from 0 (all, up to {JobsApi.MaxPageSize}) to {JobsApi.MaxPageSize}", "limit");
        }
        var project = context.Request.Query["project"].LastOrDefault();
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (all && !caller.Admin)
        {
            return AdminsOnly();
        }
        var page = await store.ListAsync(new JobQuery
        {
            Owner = all ? null : caller.Login,
            Project = string.IsNullOrEmpty(project) ? null : project,
            States = Over,
            Sort = new JobSort(JobSortKey.Ended, Descending: true),
            Offset = offset,
            Limit = count == 0 ? JobsApi.MaxPageSize : count,
        }, cancellationToken);
        return Json(new JsonArray([.. page.Items.Select(j => (JsonNode?)TaskDocuments.Document(j, dirs.PathFor(j.Id)))]));
    }

    private static ContentHttpResult AdminsOnly() =>
        Refusal(StatusCodes.Status403Forbidden, "all: only administrators list every user's tasks", "all");

    /// <summary>
    /// godjob killall [--login L] [--tag T]: a kill request for each unfinished task of the login (matching the tag, as
    /// today's tag or as the 1.0 document's meta.tags), each through <see cref="JobControl.KillAsync"/>. Self or admin.
    /// </summary>
    private static async Task<IResult> KillAllAsync(string login, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (login != caller.Login && !caller.Admin)
        {
            return Refusal(StatusCodes.Status403Forbidden, "login: only your own tasks (or, for an admin, anyone's)", "login");
        }
        var tag = context.Request.Query["tag"].LastOrDefault();
        // Read whole before any is killed (by id, downwards): a kill changes what an offset would page over.
        var targets = new List<Job>();
        long? below = null;
        while (true)
        {
            var page = await store.ListAsync(new JobQuery
            {
                Owner = login, States = Active, Sort = new JobSort(JobSortKey.Id, Descending: true), IdBelow = below, Limit = JobsApi.MaxPageSize,
            }, cancellationToken);
            targets.AddRange(page.Items.Where(j => string.IsNullOrEmpty(tag) || TaskDocuments.Tags(j.Spec).Contains(tag)));
            if (page.Items.Count < JobsApi.MaxPageSize)
            {
                break;
            }
            below = page.Items[^1].Id;
        }
        var killed = new JsonArray();
        var refused = new JsonObject();
        foreach (var job in targets.Where(j => j.StopRequested is null))
        {
            switch (await control.KillAsync(caller, job.Id, cancellationToken))
            {
                case ControlOutcome.Done:
                    killed.Add(job.Id);
                    break;
                case ControlOutcome.NotFound:
                    // Ended and archived, or another's job meanwhile: nothing to kill.
                    break;
                case var other:
                    refused[job.Id.ToString(CultureInfo.InvariantCulture)] = other.ToString();
                    break;
            }
        }
        return Json(new JsonObject
        {
            ["msg"] = $"{killed.Count} tasks of {login} changed into kill requested" + (string.IsNullOrEmpty(tag) ? "" : $" (tag {tag})"),
            ["tasks"] = killed,
            ["refused"] = refused,
        });
    }

    /// <summary>
    /// goduser's usage table: the user's ended attempts in the quota window (<see cref="QuotaOptions.CpuHoursWindow"/>),
    /// from the accounting records (<see cref="AccountingHistory"/>), summed per end day (UTC): time in seconds from start
    /// to end, cpu in allocated cpu-seconds, ram in allocated GiB-hours. Self or admin.
    /// </summary>
    private static async Task<IResult> UsageAsync(string login, HttpContext context, AccountingHistory history, CallerResolver callers,
        IOptions<GoDockerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (login != caller.Login && !caller.Admin)
        {
            return Refusal(StatusCodes.Status403Forbidden, "login: only your own usage (or, for an admin, anyone's)", "login");
        }
        var query = new AccountingQuery
        {
            Owner = login, Since = time.GetUtcNow() - options.Value.Quotas.CpuHoursWindow, Limit = AccountingHistory.MaxPageSize,
        };
        var records = new List<GoDocker.Usage.AccountingRecord>();
        // Bounded: a window's records of one user, at most MaxUsageRecords of them.
        while (records.Count < MaxUsageRecords)
        {
            var page = await history.ListAsync(caller, query with { Offset = records.Count }, cancellationToken);
            records.AddRange(page.Items);
            if (page.Items.Count == 0 || records.Count >= page.Total)
            {
                break;
            }
        }
        return Json(new JsonArray([.. TaskDocuments.UsagePerDay(records).Select(d => (JsonNode?)d)]));
    }

    private const int MaxUsageRecords = 100_000;

    /// <summary>
    /// The projects a user may submit to, "default" first (godjob asks before every command: its --project choices,
    /// default "default"). The user's own list, or any user's for an admin.
    /// </summary>
    private static async Task<IResult> ProjectsAsync(string login, HttpContext context, IAccountStore accounts, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (login != caller.Login && !caller.Admin)
        {
            return Refusal(StatusCodes.Status403Forbidden, "login: only your own projects (or, for an admin, anyone's)", "login");
        }
        var user = login == caller.Login ? null : await accounts.GetUserAsync(login, cancellationToken);
        if (login != caller.Login && user is null)
        {
            return Refusal(StatusCodes.Status404NotFound, $"login: no user {login}", "login");
        }
        var of = user is null ? caller : await callers.ResolveAsync(login, user.Admin, cancellationToken);
        var names = new[] { Project.Default }.Concat(of.Projects.Concat(of.ManagedProjects).Where(p => p != Project.Default).Distinct().Order(StringComparer.Ordinal));
        return Json(new JsonArray([.. names.Select(name => (JsonNode?)new JsonObject
        {
            ["id"] = name,
            ["description"] = name == Project.Default ? "every user's project" : "",
            ["members"] = new JsonArray(),
        })]));
    }

    /// <summary>
    /// A user as godjob create reads it (id, uid, gid: the identity its jobs run as). The API key is never shown (only
    /// its hash is stored); usage holds the user's quotas as the scheduler applies them (their own, else the site's
    /// Quotas:User), null where there is none. Self or admin.
    /// </summary>
    private static async Task<IResult> UserAsync(string login, HttpContext context, IAccountStore accounts, CallerResolver callers, AccountLimitsCache limits, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (login != caller.Login && !caller.Admin)
        {
            return Refusal(StatusCodes.Status403Forbidden, "login: only your own account (or, for an admin, anyone's)", "login");
        }
        if (await accounts.GetUserAsync(login, cancellationToken) is not { } user)
        {
            return Refusal(StatusCodes.Status404NotFound, $"login: no user {login}", "login");
        }
        var identity = user.Identity;
        return Json(new JsonObject
        {
            ["id"] = identity.Login,
            ["uid"] = identity.Uid,
            ["gid"] = identity.Gid,
            ["email"] = identity.Email,
            ["admin"] = user.Admin,
            ["homeDirectory"] = identity.Home,
            ["credentials"] = new JsonObject { ["apikey"] = "", ["public"] = "" },
            ["usage"] = TaskDocuments.Usage(await limits.ForAsync(AccountKind.User, login, cancellationToken)),
        });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        return Json(await DocumentAsync(job, context, control, callers, dirs, cancellationToken));
    }

    /// <summary>
    /// A task's document; for an array's id (its first task's) the 1.0 parent document: the array's values, its tasks'
    /// ids, and a status summed over them (§2.4).
    /// </summary>
    private static async Task<JsonObject> DocumentAsync(Job job, HttpContext context, JobControl control, CallerResolver callers, JobDirectory dirs, CancellationToken cancellationToken)
    {
        if (job.ArrayId != job.Id)
        {
            return TaskDocuments.Document(job, dirs.PathFor(job.Id));
        }
        var tasks = await control.ArrayTasksAsync(await callers.ResolveAsync(context, cancellationToken), job.Id, cancellationToken);
        return TaskDocuments.ArrayDocument(job, tasks.Count == 0 ? [job] : tasks, dirs.PathFor(job.Id));
    }

    private static async Task<IResult> StatusAsync(string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        // The runner reads status.primary; the same values at the top level serve a reader of the flat form too.
        var status = (await DocumentAsync(job, context, control, callers, dirs, cancellationToken))["status"]!.DeepClone().AsObject();
        return Json(new JsonObject
        {
            ["id"] = job.Id,
            ["status"] = status,
            ["primary"] = status["primary"]?.DeepClone(),
            ["secondary"] = status["secondary"]?.DeepClone(),
            ["exitcode"] = status["exitcode"]?.DeepClone(),
        });
    }

    private static async Task<IResult> KillAsync(string id, HttpContext context, IJobStore store, JobControl control, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (job.ArrayId == job.Id)
        {
            // The parent document's id: the whole array, as 1.0 killed a parent with its tasks.
            return ArrayControlled(id, job, await control.KillArrayAsync(caller, job.Id, cancellationToken), dirs);
        }
        if (job.State.IsTerminal())
        {
            // Nothing to stop, and no error: the client may race the end (Galaxy checks the status first, then deletes).
            return Json(TaskDocuments.Document(job, dirs.PathFor(job.Id)));
        }
        return Controlled(await control.KillAsync(caller, job.Id, cancellationToken), dirs);
    }

    /// <summary>Suspend or resume: of the task, or, for an array's id (the parent document's), of every task of the array.</summary>
    private static async Task<IResult> ControlAsync(string id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs,
        Func<Caller, long, Task<ControlOutcome>> act, Func<Caller, long, Task<ArrayOutcome>> actOnArray, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        return job.ArrayId == job.Id
            ? ArrayControlled(id, job, await actOnArray(caller, job.Id), dirs)
            : Controlled(await act(caller, job.Id), dirs);
    }

    private static ContentHttpResult ArrayControlled(string id, Job parent, ArrayOutcome outcome, JobDirectory dirs) => outcome switch
    {
        ArrayOutcome.Done done => Json(TaskDocuments.ArrayDocument(parent, done.Tasks, dirs.PathFor(parent.Id))),
        ArrayOutcome.NotFound => NoSuchTask(id),
        ArrayOutcome.Forbidden forbidden => Refusal(StatusCodes.Status403Forbidden, forbidden.Reason, "id"),
        ArrayOutcome.Conflict conflict => Refusal(StatusCodes.Status409Conflict, conflict.Reason, "status"),
        ArrayOutcome.Unavailable unavailable => Refusal(StatusCodes.Status503ServiceUnavailable, unavailable.Reason, "container.meta"),
        var other => throw new InvalidOperationException($"unexpected array outcome for a 1.0 task: {other}"),
    };

    private static ContentHttpResult Controlled(ControlOutcome outcome, JobDirectory dirs) => outcome switch
    {
        ControlOutcome.Done done => Json(TaskDocuments.Document(done.Job, dirs.PathFor(done.Job.Id))),
        ControlOutcome.NotFound notFound => NoSuchTask(notFound.JobId.ToString(CultureInfo.InvariantCulture)),
        ControlOutcome.Forbidden forbidden => Refusal(StatusCodes.Status403Forbidden, forbidden.Reason, "id"),
        ControlOutcome.Conflict conflict => Refusal(StatusCodes.Status409Conflict, conflict.Reason, "status"),
        ControlOutcome.Unavailable unavailable => Refusal(StatusCodes.Status503ServiceUnavailable, unavailable.Reason, "container.meta"),
        ControlOutcome.Invalid invalid => Refusal(StatusCodes.Status400BadRequest, $"{invalid.Field}: {invalid.Message}", invalid.Field),
        var other => throw new InvalidOperationException($"unexpected control outcome for a 1.0 task: {other}"),
    };

    /// <summary>
    /// A file of the task's job directory (its bytes) or a folder's listing (<c>[{"name", "path", "type", "size", "date"}]</c>),
    /// opened exactly as /api/v1/jobs/{id}/files opens it (<see cref="JobFilesApi.Open"/>: beneath the folder, never
    /// following a link out of it, regular files and folders only, from the archive once retention archived it).
    /// </summary>
    private static async Task<IResult> FilesAsync(string id, string? path, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var (found, removed) = JobFilesApi.Open(dirs, job, path);
        switch (found)
        {
            case JobPath.OpenedFile file:
                return TypedResults.Stream(file.Snapshot(), "application/octet-stream", file.Name, enableRangeProcessing: true);
            case JobPath.ArchivedFile archived:
                context.Response.ContentLength = archived.Length;
                return TypedResults.Stream(archived.Stream, "application/octet-stream", archived.Name);
            case JobPath.Listing listing:
                var prefix = string.IsNullOrEmpty(path) ? "" : path.Trim('/') + "/";
                return Json(new JsonArray([.. listing.Entries.Select(e => (JsonNode?)new JsonObject
                {
                    ["name"] = e.Name, ["path"] = prefix + e.Name, ["type"] = e.Kind, ["size"] = e.Size, ["date"] = TaskDocuments.Unix(e.ModifiedAt),
                })]));
            case JobPath.Refused when removed:
                return Refusal(StatusCodes.Status404NotFound, $"task {id}'s directory was removed (retention or purge); its record stays", "path");
            case JobPath.Refused refusal:
                return refusal.Kind switch
                {
                    PathRefusal.Invalid => Refusal(StatusCodes.Status400BadRequest, $"path: {refusal.Reason}", "path"),
                    PathRefusal.OutsideJobDirectory or PathRefusal.NotRegularFile => Refusal(StatusCodes.Status403Forbidden, $"'{path}': {refusal.Reason}", "path"),
                    _ => Refusal(StatusCodes.Status404NotFound, $"'{path}': {refusal.Reason}", "path"),
                };
            default:
                throw new InvalidOperationException($"unexpected job path {found}");
        }
    }

    /// <summary>
    /// godjob archive --id N: the ended task's job directory replaced now by its archive, the step retention takes after
    /// JobDirectories:ArchiveAfter (<see cref="JobDirectory.ArchiveAsync"/>; the files stay listed and downloadable, the
    /// record stays). Whoever may control the job; a task not ended is a conflict; archiving again does nothing.
    /// </summary>
    private static async Task<IResult> ArchiveAsync(string id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, JobDirectory dirs,
        IOptions<GoDockerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (job, refused) = await FindAsync(id, context, store, callers, policy, cancellationToken);
        if (job is null)
        {
            return refused!;
        }
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (!policy.CanControl(caller, job))
        {
            return Refusal(StatusCodes.Status403Forbidden, $"you may see task {id} but not archive it", "id");
        }
        if (!job.State.IsTerminal())
        {
            return Refusal(StatusCodes.Status409Conflict, $"task {id} is not over: only an ended task's directory is archived", "status");
        }
        switch (await dirs.ArchiveAsync(job.Id, options.Value.JobDirectories.MaxArchiveBytes, cancellationToken))
        {
            case ArchiveOutcome.Archived archived:
                await store.AppendEventAsync(job.Id, new JobEvent(time.GetUtcNow(), "directory-archived",
                    archived.Skipped == 0 ? $"job directory archived by {caller.Login}" : $"job directory archived by {caller.Login} ({archived.Skipped} FIFOs, sockets, devices or foreign hard links not stored)"),
                    cancellationToken);
                break;
            case ArchiveOutcome.TooLarge large:
                return Refusal(StatusCodes.Status409Conflict, $"task {id}'s directory ({large.Bytes} bytes) is above JobDirectories:MaxArchiveSize: it is kept as it is", "id");
        }
        return Json(TaskDocuments.Document(job, dirs.PathFor(job.Id)));
    }

    /// <summary>The job behind a 1.0 id, if the caller may see it: another user's job, a malformed id and none are all 404.</summary>
    private static async Task<(Job? Job, IResult? Refused)> FindAsync(string id, HttpContext context, IJobStore store, CallerResolver callers, IAccessPolicy policy, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        if (ParseId(id) is not { } jobId || await store.GetAsync(jobId, cancellationToken) is not { } job || !policy.CanSee(caller, job))
        {
            return (null, NoSuchTask(id));
        }
        return (job, null);
    }

    private static ContentHttpResult NoSuchTask(string id) => Refusal(StatusCodes.Status404NotFound, $"task {id} does not exist", "id");

    /// <summary>A task id is a job id in decimal, nothing else (no sign, no spaces, no leading zero).</summary>
    internal static long? ParseId(string id) =>
        id.Length is > 0 and <= 19 && id[0] is >= '1' and <= '9' && id.All(char.IsAsciiDigit)
            && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Today's field names as the 1.0 document spells them, so a refusal names what the client sent.</summary>
    internal static string Field10(string field) => field switch
    {
        "image" => "container.image",
        "volumes" => "container.volumes",
        "root" => "container.root",
        "network" => "container.network",
        "project" => "user.project",
        "cpus" => "requirements.cpu",
        "memory" => "requirements.ram",
        "gpus" => "requirements.gpus",
        "constraints" => "requirements.label",
        "array" => "requirements.array.values",
        "dependency" => "requirements.tasks",
        "name" => "meta.name",
        "tags" => "meta.tags",
        "labels" => "meta.description",
        "script" => "command.cmd",
        "mailType" => "notify.email",
        "requeue" => "requirements.failure_policy",
        _ => field,
    };

    private static string Sentence(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{Field10(e.Key)}: {string.Join(", ", e.Value)}"));

    private static async Task<(JsonObject? Body, IResult? Refused)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
            if (node is not JsonObject body)
            {
                return (null, Refusal(StatusCodes.Status400BadRequest, "body: a JSON object is required", "body"));
            }
            Materialize(body);
            return (body, null);
        }
        // A node tree reads its properties and strings lazily: a duplicate property, invalid UTF-8 or a lone surrogate
        // would throw at first use, deep in a handler. Read all of it here, once, and refuse it as the body.
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return (null, Refusal(StatusCodes.Status400BadRequest, "body: invalid JSON (a property given twice, or a string that is not valid Unicode)", "body"));
        }
        catch (JsonException e)
        {
            return (null, Refusal(StatusCodes.Status400BadRequest, $"body: invalid JSON: {e.Message}", "body"));
        }
        catch (BadHttpRequestException e)
        {
            return (null, Refusal(e.StatusCode, $"body: {e.Message}", "body"));
        }
    }

    /// <summary>Reads every property name and string of the tree (what the parser left for later), so a bad one throws now.</summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Materialize(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Materialize(item);
                }
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }

    private static ContentHttpResult Json(JsonNode body) => TypedResults.Text(body.ToJsonString(), "application/json", System.Text.Encoding.UTF8);

    private static ContentHttpResult Refusal(int status, string message, string field, bool submit = false) =>
        Refusal(status, message, new Dictionary<string, string[]> { [field] = [message] }, submit);

    /// <summary>RFC 9457 problem details that 1.0's clients can read too: "msg" (godjob prints it), "errors", and "id": null after a submit.</summary>
    private static ContentHttpResult Refusal(int status, string message, IReadOnlyDictionary<string, string[]> errors, bool submit = false)
    {
        var fields = new JsonObject();
        foreach (var (field, messages) in errors)
        {
            fields[Field10(field)] = new JsonArray([.. messages.Select(m => (JsonNode?)JsonValue.Create(m))]);
        }
        var body = new JsonObject
        {
            ["type"] = status == StatusCodes.Status429TooManyRequests ? "https://tools.ietf.org/html/rfc6585#section-4"
                : $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? 6 : 5)}.{(status >= 500 ? status - 499 : status - 399)}",
            ["title"] = status switch { 400 => "Invalid request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not found", 409 => "Conflict", 429 => "Too many requests", _ => "Refused" },
            ["status"] = status,
            ["detail"] = message,
            ["msg"] = message,
            ["errors"] = fields,
        };
        if (submit)
        {
            body["id"] = null;
        }
        return TypedResults.Text(body.ToJsonString(), "application/problem+json", System.Text.Encoding.UTF8, status);
    }
}
