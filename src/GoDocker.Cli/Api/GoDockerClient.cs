using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Api;

/// <summary>
/// The GoDocker REST API v1. A refusal (any non-2xx) comes back as <see cref="ApiResult{T}.Problem"/>;
/// a transport failure (refused, dropped, timed out) throws <see cref="ServerUnreachableException"/>;
/// a reply that does not parse throws <see cref="JsonException"/>.
/// </summary>
internal sealed class GoDockerClient : IDisposable
{
    /// <summary>For everything but streams, which may legitimately stay open for hours.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient http;
    private readonly string apiBase;

    public GoDockerClient(Uri server, HttpMessageHandler? handler = null)
    {
        Server = server;
        apiBase = ServerAddress.Display(server) + "/api/v1";
        http = new HttpClient(handler ?? CreateHandler(), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public Uri Server { get; }

    // Each of these settings skips work a fresh process would otherwise do before its one request:
    // proxy discovery (environment parsing, a resolver object) and decompression negotiation.
    private static SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    public Task<ApiResult<JobView>> SubmitAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(spec, GoDockerJson.Default.JobSpec));
        body.Headers.ContentType = JsonMediaType;
        return SendAsync(HttpMethod.Post, "/jobs", body, GoDockerJson.Default.JobView, cancellationToken);
    }

    public Task<ApiResult<JobList>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/jobs" + query.ToQueryString(), null, GoDockerJson.Default.JobList, cancellationToken);

    public Task<ApiResult<JobView>> GetJobAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/jobs/{id}", null, GoDockerJson.Default.JobView, cancellationToken);

    public Task<ApiResult<JobView>> KillAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/jobs/{id}/kill", null, GoDockerJson.Default.JobView, cancellationToken);

    public Task<ApiResult<IReadOnlyList<FileEntry>>> ListFilesAsync(long id, string? path, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get,
            $"/jobs/{id}/files" + (string.IsNullOrEmpty(path) ? "" : "?path=" + Uri.EscapeDataString(path)),
            null,
            GoDockerJson.Default.IReadOnlyListFileEntry,
            cancellationToken);

    public Task<ApiResult<HealthView>> HealthAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/health", null, GoDockerJson.Default.HealthView, cancellationToken);

    /// <summary>The job's stdout or stderr; with <paramref name="follow"/> the server keeps sending until the job has ended.</summary>
    public Task<ApiResult<ResponseBody>> OpenOutputAsync(long id, bool stderr, bool follow, CancellationToken cancellationToken) =>
        OpenAsync($"/jobs/{id}/{(stderr ? "stderr" : "stdout")}" + (follow ? "?follow=true" : ""), headerTimeout: follow ? null : RequestTimeout, cancellationToken);

    public Task<ApiResult<ResponseBody>> OpenFileAsync(long id, string path, CancellationToken cancellationToken) =>
        OpenAsync($"/jobs/{id}/files/{EscapePath(path)}", RequestTimeout, cancellationToken);

    /// <summary>Escapes each segment, keeping the slashes, so "sub dir/a#b" reaches the server as one path.</summary>
    internal static string EscapePath(string path) =>
        string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, apiBase + path) { Content = content };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, RequestTimeout, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return ApiResult<T>.Refused(await ReadProblemAsync(response, cancellationToken));
        }
        // ResponseContentRead has buffered the body, so reading it cannot hit the network.
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var value = JsonSerializer.Deserialize(bytes, type)
            ?? throw new JsonException($"{method} {path} answered {(int)response.StatusCode} with an empty body");
        return ApiResult<T>.Ok(value);
    }

    private async Task<ApiResult<ResponseBody>> OpenAsync(string path, TimeSpan? headerTimeout, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, apiBase + path);
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headerTimeout, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return ApiResult<ResponseBody>.Refused(await ReadProblemAsync(response, cancellationToken));
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var body = new ResponseBody(request, response, stream, Server);
            request = null;
            response = null;
            return ApiResult<ResponseBody>.Ok(body);
        }
        finally
        {
            response?.Dispose();
            request?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            deadline.CancelAfter(t);
        }
        try
        {
            return await http.SendAsync(request, completion, deadline.Token);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException(Server, Describe(e), e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Server, $"no reply within {timeout?.TotalSeconds:0} s", e);
        }
    }

    /// <summary>A short lower-case reason for the one-line "cannot reach" message.</summary>
    internal static string Describe(HttpRequestException e)
    {
        if (e.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
                SocketError.TimedOut => "connection timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                SocketError.ConnectionReset => "connection reset",
                _ => socket.Message,
            };
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "unknown host",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "the server closed the connection without replying",
            HttpRequestError.InvalidResponse => "the reply is not HTTP",
            _ => e.Message,
        };
    }

    private static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            text = "";
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "application/problem+json" or "application/json" && text.Length > 0)
        {
            try
            {
                if (JsonSerializer.Deserialize(text, GoDockerJson.Default.Problem) is { } problem)
                {
                    return problem with { Status = problem.Status ?? status, Title = problem.Title ?? response.ReasonPhrase };
                }
            }
            catch (JsonException)
            {
                // Not problem details after all: show the text itself below.
            }
        }
        return ProblemFromText(status, response.ReasonPhrase, text);
    }

    /// <summary>A refusal that did not come as problem details (a proxy's 502 page, a plain-text 500).</summary>
    internal static Problem ProblemFromText(int status, string? reasonPhrase, string text)
    {
        var detail = text.Trim();
        if (detail.Length > 300)
        {
            detail = detail[..300] + "…";
        }
        return new Problem
        {
            Title = string.IsNullOrEmpty(reasonPhrase) ? $"HTTP {status}" : $"{reasonPhrase} (HTTP {status})",
            Status = status,
            Detail = detail.Length == 0 ? null : detail,
        };
    }

    public void Dispose() => http.Dispose();
}
