using GoDocker.Cli.Submit;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GoDocker.Cli.Api.Http;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Api;

/// <summary>
/// The GoDocker REST API v1. A refusal (any non-2xx) comes back as <see cref="ApiResult{T}.Problem"/>;
/// a transport failure (refused, dropped, timed out, not HTTP) throws <see cref="ServerUnreachableException"/>;
/// a 2xx reply that does not parse throws <see cref="JsonException"/>.
/// Requests have no deadline of their own (as curl and docker); a caller that needs one cancels the token.
/// </summary>
internal sealed class GoDockerClient(Uri server, string? bearerToken = null)
{
    private const int MaxJsonBytes = 64 * 1024 * 1024;

    private readonly Http1Client http = new(server, bearerToken);
    private readonly string apiBase = server.AbsolutePath.TrimEnd('/') + "/api/v1";

    public Uri Server => server;

    /// <summary>A submit whose answer is lost is sent this many times in all, with the same Idempotency-Key.</summary>
    public const int SubmitAttempts = 3;

    /// <summary>Submits and reads back only the new job's id (the fast path of `godocker submit`); see <see cref="SubmitAsync"/> for retries.</summary>
    public Task<ApiResult<long>> SubmitForIdAsync(JobSpec spec, CancellationToken cancellationToken) =>
        SendIdempotentAsync(
            new HttpRequest("POST", apiBase + "/jobs") { Body = SubmitWire.Encode(spec), ContentType = "application/json", IdempotencyKey = NewIdempotencyKey() },
            body => SubmitWire.ReadId(body),
            cancellationToken);

    /// <summary>
    /// Submits under a fresh Idempotency-Key; when the answer is lost after the request may have reached the server, sends it again
    /// with the same key (up to <see cref="SubmitAttempts"/> times): the server answers a repeat with the first job, never a second.
    /// </summary>
    public Task<ApiResult<JobView>> SubmitAsync(JobSpec spec, CancellationToken cancellationToken) =>
        SendIdempotentAsync(
            JsonRequest("POST", apiBase + "/jobs", spec, GoDockerJson.Default.JobSpec) with { IdempotencyKey = NewIdempotencyKey() },
            body => JsonSerializer.Deserialize(body, GoDockerJson.Default.JobView) ?? throw new JsonException($"POST {apiBase}/jobs answered with an empty body"),
            cancellationToken);

    public Task<ApiResult<JobList>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/jobs" + query.ToQueryString()), GoDockerJson.Default.JobList, cancellationToken);

    /// <summary>A page of accounting records (sacct).</summary>
    public Task<ApiResult<AccountingList>> ListAccountingAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/accounting" + query.ToQueryString()), GoDockerJson.Default.AccountingList, cancellationToken);

    public Task<ApiResult<JobView>> GetJobAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/jobs/{id}"), GoDockerJson.Default.JobView, cancellationToken);

    /// <summary>A job's sampled usage: its current attempt's summary and live figures, and the kept points after <paramref name="since"/>.</summary>
    public Task<ApiResult<JobUsageView>> GetUsageAsync(long id, DateTimeOffset? since, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/jobs/{id}/usage"
            + Query(("since", since?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)))),
            GoDockerJson.Default.JobUsageView, cancellationToken);

    public Task<ApiResult<JobView>> KillAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("POST", $"{apiBase}/jobs/{id}/kill"), GoDockerJson.Default.JobView, cancellationToken);

    public Task<ApiResult<JobView>> ControlAsync(long id, JobControl control, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("POST", $"{apiBase}/jobs/{id}/{control.Name()}"), GoDockerJson.Default.JobView, cancellationToken);

    /// <summary>A pending job's priority and factors, as the last scheduling cycle ranked it.</summary>
    public Task<ApiResult<PriorityView>> GetPriorityAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/jobs/{id}/priority"), GoDockerJson.Default.PriorityView, cancellationToken);

    /// <summary>Sets an administrator's priority adjustment (replacing any earlier one).</summary>
    public Task<ApiResult<JobView>> SetPriorityAsync(long id, int adjustment, CancellationToken cancellationToken) =>
        SendAsync(
            JsonRequest("POST", $"{apiBase}/jobs/{id}/priority", new PriorityRequest(adjustment), GoDockerJson.Default.PriorityRequest),
            GoDockerJson.Default.JobView,
            cancellationToken);

    public Task<ApiResult<ArrayView>> GetArrayAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/arrays/{id}"), GoDockerJson.Default.ArrayView, cancellationToken);

    public Task<ApiResult<ArrayView>> KillArrayAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("POST", $"{apiBase}/arrays/{id}/kill"), GoDockerJson.Default.ArrayView, cancellationToken);

    public Task<ApiResult<IReadOnlyList<AccountUsageView>>> UsageAsync(string? user, string? project, CancellationToken cancellationToken) =>
        SendAsync(
            new HttpRequest("GET", apiBase + "/usage" + Query(("user", user), ("project", project))),
            GoDockerJson.Default.IReadOnlyListAccountUsageView,
            cancellationToken);

    /// <summary>An administrator's purge of old ended jobs (or its dry run).</summary>
    public Task<ApiResult<PurgeView>> PurgeAsync(PurgeRequest request, CancellationToken cancellationToken) =>
        SendAsync(JsonRequest("POST", apiBase + "/admin/purge", request, GoDockerJson.Default.PurgeRequest), GoDockerJson.Default.PurgeView, cancellationToken);

    /// <summary>The shares, priority and quotas set per account; <paramref name="kind"/> is "user" or "project".</summary>
    public Task<ApiResult<IReadOnlyList<AccountLimitsView>>> LimitsAsync(string? kind, string? name, CancellationToken cancellationToken) =>
        SendAsync(
            new HttpRequest("GET", apiBase + "/limits" + Query(("kind", kind), ("name", name))),
            GoDockerJson.Default.IReadOnlyListAccountLimitsView,
            cancellationToken);

    /// <summary>PUT: replaces every setting of the account (an absent one is removed).</summary>
    public Task<ApiResult<AccountLimitsView>> SetLimitsAsync(string kind, string name, AccountLimitsView limits, CancellationToken cancellationToken) =>
        SendAsync(
            JsonRequest("PUT", $"{apiBase}/limits/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(name)}", limits, GoDockerJson.Default.AccountLimitsView),
            GoDockerJson.Default.AccountLimitsView,
            cancellationToken);

    public Task<ApiResult<IReadOnlyList<FileEntry>>> ListFilesAsync(long id, string? path, CancellationToken cancellationToken) =>
        SendAsync(
            new HttpRequest("GET", $"{apiBase}/jobs/{id}/files" + (string.IsNullOrEmpty(path) ? "" : "?path=" + Uri.EscapeDataString(path))),
            GoDockerJson.Default.IReadOnlyListFileEntry,
            cancellationToken);

    public Task<ApiResult<LoginResponse>> LoginAsync(string login, string password, CancellationToken cancellationToken) =>
        SendAsync(
            JsonRequest("POST", apiBase + "/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest),
            GoDockerJson.Default.LoginResponse,
            cancellationToken);

    public Task<ApiResult<UserView>> WhoAmIAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/auth/whoami"), GoDockerJson.Default.UserView, cancellationToken);

    /// <summary>Revokes one of the caller's tokens; the answer has no body.</summary>
    public Task<ApiResult<bool>> RevokeTokenAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("DELETE", $"{apiBase}/tokens/{id}"), _ => true, $"DELETE {apiBase}/tokens/{id}", cancellationToken);

    public Task<ApiResult<IReadOnlyList<UserView>>> ListUsersAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/users"), GoDockerJson.Default.IReadOnlyListUserView, cancellationToken);

    public Task<ApiResult<UserView>> GetUserAsync(string login, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/users/{Uri.EscapeDataString(login)}"), GoDockerJson.Default.UserView, cancellationToken);

    /// <summary>POST (create) or PATCH (update) a user.</summary>
    public Task<ApiResult<UserView>> SaveUserAsync(UserRequest user, bool create, CancellationToken cancellationToken) =>
        SendAsync(
            JsonRequest(create ? "POST" : "PATCH", create ? apiBase + "/users" : $"{apiBase}/users/{Uri.EscapeDataString(user.Login!)}", create ? user : user with { Login = null }, GoDockerJson.Default.UserRequest),
            GoDockerJson.Default.UserView,
            cancellationToken);

    public Task<ApiResult<IReadOnlyList<ProjectView>>> ListProjectsAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/projects"), GoDockerJson.Default.IReadOnlyListProjectView, cancellationToken);

    public Task<ApiResult<ProjectView>> GetProjectAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", $"{apiBase}/projects/{Uri.EscapeDataString(name)}"), GoDockerJson.Default.ProjectView, cancellationToken);

    public Task<ApiResult<ProjectView>> CreateProjectAsync(ProjectRequest project, CancellationToken cancellationToken) =>
        SendAsync(
            JsonRequest("POST", apiBase + "/projects", project, GoDockerJson.Default.ProjectRequest),
            GoDockerJson.Default.ProjectView,
            cancellationToken);

    public Task<ApiResult<ProjectView>> SetMemberAsync(string project, string login, bool add, bool manager, CancellationToken cancellationToken) =>
        SendAsync(
            new HttpRequest(add ? "PUT" : "DELETE",
                $"{apiBase}/projects/{Uri.EscapeDataString(project)}/members/{Uri.EscapeDataString(login)}" + (add && manager ? "?manager=true" : "")),
            GoDockerJson.Default.ProjectView,
            cancellationToken);

    public Task<ApiResult<WebhookView>> AddWebhookAsync(NewWebhookRequest request, CancellationToken cancellationToken) =>
        SendAsync(JsonRequest("POST", apiBase + "/webhooks", request, GoDockerJson.Default.NewWebhookRequest), GoDockerJson.Default.WebhookView, cancellationToken);

    public Task<ApiResult<IReadOnlyList<WebhookView>>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/webhooks"), GoDockerJson.Default.IReadOnlyListWebhookView, cancellationToken);

    /// <summary>Removes one of the caller's webhooks; the answer has no body.</summary>
    public Task<ApiResult<bool>> RemoveWebhookAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("DELETE", $"{apiBase}/webhooks/{Uri.EscapeDataString(id)}"), _ => true, $"DELETE {apiBase}/webhooks/{id}", cancellationToken);

    public Task<ApiResult<ImagesView>> ImagesAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/images"), GoDockerJson.Default.ImagesView, cancellationToken);

    public Task<ApiResult<IReadOnlyList<NodeView>>> ListNodesAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/nodes"), GoDockerJson.Default.IReadOnlyListNodeView, cancellationToken);

    public Task<ApiResult<NodeView>> DrainNodeAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("POST", $"{apiBase}/nodes/{Uri.EscapeDataString(name)}/drain"), GoDockerJson.Default.NodeView, cancellationToken);

    public Task<ApiResult<NodeView>> ResumeNodeAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("POST", $"{apiBase}/nodes/{Uri.EscapeDataString(name)}/resume"), GoDockerJson.Default.NodeView, cancellationToken);

    public Task<ApiResult<HealthView>> HealthAsync(CancellationToken cancellationToken) =>
        SendAsync(new HttpRequest("GET", apiBase + "/health"), GoDockerJson.Default.HealthView, cancellationToken);

    /// <summary>The job's stdout or stderr; with <paramref name="follow"/> the server keeps sending until the job has ended.</summary>
    public Task<ApiResult<ResponseBody>> OpenOutputAsync(long id, bool stderr, bool follow, CancellationToken cancellationToken) =>
        OpenAsync($"{apiBase}/jobs/{id}/{(stderr ? "stderr" : "stdout")}" + (follow ? "?follow=true" : ""), cancellationToken);

    public Task<ApiResult<ResponseBody>> OpenFileAsync(long id, string path, CancellationToken cancellationToken) =>
        OpenAsync($"{apiBase}/jobs/{id}/files/{EscapePath(path)}", cancellationToken);

    /// <summary>"?a=1&amp;b=2" of the parameters that have a value; "" when none has.</summary>
    internal static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static HttpRequest JsonRequest<T>(string method, string path, T body, JsonTypeInfo<T> type) =>
        new(method, path) { Body = JsonSerializer.SerializeToUtf8Bytes(body, type), ContentType = "application/json" };

    /// <summary>Escapes each segment, keeping the slashes, so "sub dir/a#b" reaches the server as one path.</summary>
    internal static string EscapePath(string path) =>
        string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private Task<ApiResult<T>> SendAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(
            request,
            body => JsonSerializer.Deserialize(body, type)
                ?? throw new JsonException($"{request.Method} {request.PathAndQuery} answered with an empty body"),
            $"{request.Method} {request.PathAndQuery}",
            cancellationToken);

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequest request, Func<byte[], T> read, string what, CancellationToken cancellationToken)
    {
        byte[] body;
        HttpResponseHead head;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            head = response.Head;
            body = await response.ReadBodyAsync(MaxJsonBytes, cancellationToken);
        }
        catch (Exception e) when (TransportFailure(e) is { } reason)
        {
            throw new ServerUnreachableException(server, reason, e);
        }
        if (!head.IsSuccess)
        {
            return ApiResult<T>.Refused(ProblemFrom(head, body));
        }
        return ApiResult<T>.Ok(read(body));
    }

    /// <summary>
    /// Opens a command in a running job (GET /jobs/{id}/exec, a WebSocket of <see cref="ExecProtocol.SubProtocol"/>):
    /// the socket once the server switched, or its refusal (404 not yours, 409 not running, 400 naming a field).
    /// </summary>
    public async Task<ApiResult<System.Net.WebSockets.WebSocket>> OpenExecAsync(
        long id, IReadOnlyList<string> command, bool tty, bool stdin, GoDocker.Execution.TerminalSize? size, CancellationToken cancellationToken)
    {
        var query = new List<(string, string?)>(command.Select(w => ("command", (string?)w)))
        {
            ("tty", tty ? "true" : null),
            ("stdin", stdin ? "true" : null),
            ("cols", size?.Cols.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("rows", size?.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        return await OpenSessionAsync($"{apiBase}/jobs/{id}/exec" + Query([.. query]), cancellationToken);
    }

    /// <summary>Joins a running interactive job's terminal (GET /jobs/{id}/attach); with <paramref name="replay"/> its output so far comes first.</summary>
    public async Task<ApiResult<System.Net.WebSockets.WebSocket>> OpenAttachAsync(
        long id, GoDocker.Execution.TerminalSize? size, bool replay, CancellationToken cancellationToken) =>
        await OpenSessionAsync($"{apiBase}/jobs/{id}/attach" + Query(
            ("cols", size?.Cols.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("rows", size?.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("logs", replay ? "true" : null)), cancellationToken);

    /// <summary>A WebSocket of <see cref="ExecProtocol.SubProtocol"/> to <paramref name="pathAndQuery"/>, or the server's refusal.</summary>
    private async Task<ApiResult<System.Net.WebSockets.WebSocket>> OpenSessionAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var request = new HttpRequest("GET", pathAndQuery) { WebSocket = (key, ExecProtocol.SubProtocol) };
        try
        {
            var (head, switched, refusal) = await http.UpgradeAsync(request, cancellationToken);
            if (refusal is not null)
            {
                using (refusal)
                {
                    return ApiResult<System.Net.WebSockets.WebSocket>.Refused(ProblemFrom(head, await refusal.ReadBodyAsync(MaxJsonBytes, cancellationToken)));
                }
            }
            // RFC 6455 4.1: the server proves it read our key; a proxy or another service that answered 101 does not.
            // SHA-1 is what the RFC fixes for this handshake check; it protects no secret.
#pragma warning disable CA5350
            var expected = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
            if (!head.Headers.TryGetValue("Sec-WebSocket-Accept", out var accept) || accept != expected
                || !head.Headers.TryGetValue("Sec-WebSocket-Protocol", out var protocol) || protocol != ExecProtocol.SubProtocol)
            {
                await switched!.DisposeAsync();
                throw new MalformedReplyException("the server switched protocols without accepting our WebSocket");
            }
            return ApiResult<System.Net.WebSockets.WebSocket>.Ok(System.Net.WebSockets.WebSocket.CreateFromStream(switched!, new System.Net.WebSockets.WebSocketCreationOptions
            {
                IsServer = false,
                SubProtocol = ExecProtocol.SubProtocol,
                // The server pings; the client only answers.
                KeepAliveInterval = TimeSpan.Zero,
            }));
        }
        catch (Exception e) when (TransportFailure(e) is { } reason)
        {
            throw new ServerUnreachableException(server, reason, e);
        }
    }

    private static string NewIdempotencyKey() => Guid.NewGuid().ToString("D");

    private async Task<ApiResult<T>> SendIdempotentAsync<T>(HttpRequest request, Func<byte[], T> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(request, read, $"{request.Method} {request.PathAndQuery}", cancellationToken);
            }
            catch (ServerUnreachableException e) when (attempt < SubmitAttempts && AnswerMayBeLost(e.InnerException))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Whether the request may have reached the server and only its answer was lost (dropped, reset, no reply, timed out
    /// waiting for it). A refused connection, a connect timeout or an unknown host sent nothing: retrying would only delay the error.
    /// </summary>
    internal static bool AnswerMayBeLost(Exception? e) => e switch
    {
        SocketException s => s.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.TimedOut,
        IOException { InnerException: SocketException s } => AnswerMayBeLost(s),
        IOException => true,
        _ => false,
    };

    private async Task<ApiResult<ResponseBody>> OpenAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponse response;
        try
        {
            response = await http.SendAsync(new HttpRequest("GET", path), cancellationToken);
            if (!response.Head.IsSuccess)
            {
                using (response)
                {
                    return ApiResult<ResponseBody>.Refused(ProblemFrom(response.Head, await response.ReadBodyAsync(MaxJsonBytes, cancellationToken)));
                }
            }
        }
        catch (Exception e) when (TransportFailure(e) is { } reason)
        {
            throw new ServerUnreachableException(server, reason, e);
        }
        return ApiResult<ResponseBody>.Ok(new ResponseBody(response, server));
    }

    /// <summary>
    /// A short lower-case reason when <paramref name="e"/> is a transport failure (for the one-line "cannot reach" message);
    /// null for anything else (cancellation, bad JSON, a bug), which is then not ours to rename.
    /// </summary>
    internal static string? TransportFailure(Exception e) => e switch
    {
        SocketException s => Describe(s.SocketErrorCode, s.Message),
        TimeoutException t => t.Message,
        NotSupportedException n => n.Message,
        AuthenticationException a => "TLS handshake failed: " + a.Message,
        MalformedReplyException p => p.Message,
        IOException { InnerException: SocketException s } => Describe(s.SocketErrorCode, s.Message),
        IOException io => "the connection failed: " + io.Message,
        _ => null,
    };

    internal static string Describe(SocketError error, string fallback) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
        SocketError.TimedOut => "connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => "the connection was reset",
        _ => fallback,
    };

    /// <summary>Problem details when the refusal came as such; otherwise the status and the start of whatever text came.</summary>
    internal static Problem ProblemFrom(HttpResponseHead head, byte[] body)
    {
        if (head.MediaType is "application/problem+json" or "application/json" && body.Length > 0)
        {
            try
            {
                if (JsonSerializer.Deserialize(body, GoDockerJson.Default.Problem) is { } problem)
                {
                    return problem with { Status = problem.Status ?? head.Status, Title = problem.Title ?? head.ReasonPhrase };
                }
            }
            catch (JsonException)
            {
                // Not problem details after all: fall through and show the text itself.
            }
        }
        var detail = Encoding.UTF8.GetString(body).Trim();
        if (detail.Length > 300)
        {
            detail = detail[..300] + "…";
        }
        return new Problem
        {
            Title = string.IsNullOrEmpty(head.ReasonPhrase) ? $"HTTP {head.Status}" : $"{head.ReasonPhrase} (HTTP {head.Status})",
            Status = head.Status,
            Detail = detail.Length == 0 ? null : detail,
        };
    }
}
