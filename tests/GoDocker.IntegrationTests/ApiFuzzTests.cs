using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Fuzz;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using Xunit.Abstractions;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Generated requests against a real multi-user server (Auth:Provider local): every body-taking endpoint's valid
/// examples mutated, odd paths and queries from the OpenAPI document's routes, random headers. No answer may be a 5xx,
/// and health answers throughout. Seeded: the seed is printed; GODOCKER_FUZZ_SEED replays a run (GODOCKER_FUZZ_COUNT
/// changes its length). The node's engine does not exist, so submitted jobs wait and no container is started.
/// </summary>
public sealed class ApiFuzzTests(ITestOutputHelper output)
{
    private const int Workers = 8;
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task GeneratedRequests_NeverGet5xx_AndHealthAnswersThroughout()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GODOCKER_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var count = int.TryParse(Environment.GetEnvironmentVariable("GODOCKER_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : 10_000;
        output.WriteLine($"fuzz seed {seed} (GODOCKER_FUZZ_SEED={seed} replays it), {count} requests");
        Console.WriteLine($"ApiFuzzTests: seed {seed}");

        await using var site = await FuzzSite.StartAsync();
        var routes = (await RoutesAsync(site.Server.Api.Http)).Concat(GoDocker10Routes).ToList();
        Assert.Contains(routes, r => r.Template == "/api/v1/jobs/{id}/files/{path}");
        var targets = new FuzzTargets(site.JobIds, [site.UserToken, site.AdminToken], ["fuzz", "admin", "nobody"], site.Server.BaseUrl.Port);

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = site.Server.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var perWorker = (count + Workers - 1) / Workers;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var generator = new RequestGenerator(new Random(HashCode.Combine(seed, worker)), routes, targets);
            for (var i = 0; i < perWorker && failures.Count < 20; i++)
            {
                var request = generator.Next();
                var (status, detail) = await SendAsync(http, site.Server.BaseUrl, request);
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status >= 500 || status == NoAnswer)
                {
                    failures.Enqueue($"{(status == NoAnswer ? "no answer" : status)} for:\n{request}\n→ {detail}");
                }
                if (i % 250 == 0 && !await HealthAnswersAsync(http))
                {
                    failures.Enqueue($"health did not answer after request {i} of worker {worker}:\n{request}");
                }
            }
        })));

        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        // Faults the server logged: an exception the handler caught is a 500, even one whose client had gone.
        foreach (var line in site.Server.Log.Split('\n').Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)).Take(10))
        {
            output.WriteLine("server log: " + line);
            if (line.Contains("ExceptionHandlerMiddleware", StringComparison.Ordinal))
            {
                failures.Enqueue("the server answered 500 (logged): " + (line.Length > 1500 ? line[..1500] : line));
            }
        }
        Assert.True(await HealthAnswersAsync(http), "health does not answer at the end");
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures; the first:\n\n" + string.Join("\n\n", failures.Take(5)) + "\n\nserver log tail:\n" + Tail(site.Server.Log));
    }

    private const int NoAnswer = -1;
    private const int ClientRefused = 0;

    private static async Task<(int Status, string Detail)> SendAsync(HttpClient http, Uri server, FuzzRequest request)
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        if (request.Raw is not null)
        {
            return await SendRawAsync(server, request.Raw, timeout.Token);
        }
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.PathAndQuery);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }
        foreach (var (name, value) in request.Headers)
        {
            if (name == "Host")
            {
                if (!message.Headers.TryAddWithoutValidation("Host", value))
                {
                    return (ClientRefused, "HttpClient will not send Host " + value);
                }
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }
        try
        {
            // Headers are enough to know the status; a followed output would stream until its job ends.
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var detail = (int)response.StatusCode >= 500 ? await ReadSomeAsync(response, timeout.Token) : "";
            return ((int)response.StatusCode, detail);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (NoAnswer, $"no answer in {AnswerTimeout.TotalSeconds} s");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded or HttpRequestError.Unknown
            && e.InnerException is not SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            // HttpClient refused to send it (a header it will not write) or the server closed without an answer to a
            // request it found malformed: neither is a 5xx. A dead server shows in health.
            return (ClientRefused, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return (ClientRefused, "HttpClient refused the request: " + e.Message);
        }
    }

    /// <summary>Writes the bytes, reads the status line; a server waiting for body bytes that never come is not an error.</summary>
    private static async Task<(int Status, string Detail)> SendRawAsync(Uri server, byte[] bytes, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException)
        {
            // The server answered a malformed start and closed before the rest was written (Kestrel's 400): its
            // answer, if any, is still there to read.
        }
        var buffer = new byte[4096];
        var received = await ReadHeadAsync(stream, buffer, 0, TimeSpan.FromMilliseconds(300), cancellationToken);
        if (received == 0)
        {
            // Still waiting for body bytes that a lying Content-Length promised: end the input, so the body ends early.
            try
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // Closed by the server already: nothing more will come.
            }
            received = await ReadHeadAsync(stream, buffer, 0, TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        var text = Encoding.ASCII.GetString(buffer, 0, received);
        return text.StartsWith("HTTP/1.", StringComparison.Ordinal) && text.Length >= 12
            && int.TryParse(text.AsSpan(9, 3), CultureInfo.InvariantCulture, out var status)
            ? (status, text)
            : (ClientRefused, "no status line: " + text);
    }

    private static async Task<int> ReadHeadAsync(NetworkStream stream, byte[] buffer, int received, TimeSpan patience, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(patience);
        try
        {
            while (received < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, received).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer.AsMemory(received), deadline.Token);
                if (read == 0)
                {
                    break;
                }
                received += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
        return received;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Length > 2000 ? body[..2000] : body;
    }

    private static async Task<bool> HealthAnswersAsync(HttpClient http)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await http.GetAsync("/api/v1/health", timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The GoDocker 1.0 API's routes (Compat:GoDocker10:Enabled), which its OpenAPI document leaves out.</summary>
    private static readonly FuzzRoute[] GoDocker10Routes =
    [
        new("POST", "/api/1.0/authenticate"), new("GET", "/api/1.0/config"), new("POST", "/api/1.0/task"),
        new("GET", "/api/1.0/task/{id}"), new("PUT", "/api/1.0/task/{id}"), new("DELETE", "/api/1.0/task/{id}"),
        new("GET", "/api/1.0/task/{id}/status"), new("GET", "/api/1.0/task/{id}/suspend"), new("GET", "/api/1.0/task/{id}/resume"),
        new("GET", "/api/1.0/task/{id}/files"), new("GET", "/api/1.0/task/{id}/files/{path}"),
        new("GET", "/api/1.0/task/{id}/archive"), new("DELETE", "/api/1.0/task/{id}/archive"),
        new("GET", "/api/1.0/task/active"), new("GET", "/api/1.0/task/active/all"),
        new("GET", "/api/1.0/task/over/{skip}/{limit}"), new("POST", "/api/1.0/task/over/{skip}/{limit}"),
        new("POST", "/api/1.0/task/over/all/{skip}/{limit}"),
        new("GET", "/api/1.0/user/{login}"), new("GET", "/api/1.0/user/{login}/project"), new("GET", "/api/1.0/user/{login}/usage"),
        new("DELETE", "/api/1.0/user/{login}/task"),
    ];

    /// <summary>Every method and route of the server's OpenAPI document.</summary>
    private static async Task<IReadOnlyList<FuzzRoute>> RoutesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v1/openapi.json"));
        var routes = new List<FuzzRoute>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is "get" or "post" or "put" or "patch" or "delete")
                {
                    routes.Add(new FuzzRoute(operation.Name.ToUpperInvariant(), path.Name));
                }
            }
        }
        return routes;
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    /// <summary>A local-auth server with an admin and a user, their tokens, a volume, and a few jobs of each kind waiting.</summary>
    private sealed class FuzzSite : IAsyncDisposable
    {
        private string passwordFile = null!;
        private string volumeRoot = null!;

        public ServerProcess Server { get; private set; } = null!;
        public string AdminToken { get; private set; } = "";
        public string UserToken { get; private set; } = "";
        public List<long> JobIds { get; } = [];

        public static async Task<FuzzSite> StartAsync()
        {
            var site = new FuzzSite
            {
                passwordFile = Path.GetTempFileName(),
                volumeRoot = Directory.CreateTempSubdirectory("godocker-fuzz-volumes-").FullName,
            };
            await File.WriteAllTextAsync(site.passwordFile, "admin-secret-1");
            Directory.CreateDirectory(Path.Combine(site.volumeRoot, "fuzz"));
            site.Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Auth:Provider"] = "local",
                ["Auth:BootstrapAdmin"] = "admin",
                ["Auth:BootstrapAdminPasswordFile"] = site.passwordFile,
                ["Compat:GoDocker10:Enabled"] = "true",
                // No engine: jobs wait, nothing runs, thousands of submits start no container.
                ["Executor:Docker:Endpoint"] = "unix:///nonexistent/docker.sock",
                ["Volumes:0:Name"] = "data",
                ["Volumes:0:HostPath"] = Path.Combine(site.volumeRoot, "{user}"),
                ["Volumes:0:AllowedRoot"] = site.volumeRoot,
            }, expectHealthy: false);
            site.AdminToken = await site.LoginAsync("admin", "admin-secret-1");
            using (var admin = site.Client(site.AdminToken))
            {
                using var created = await admin.PostAsJsonAsync("/api/v1/users",
                    new UserRequest { Login = "fuzz", Uid = 4242, Gid = 4242, Password = "fuzz-password", Home = "/home/fuzz" }, GoDockerJson.Default.UserRequest);
                created.EnsureSuccessStatusCode();
            }
            site.UserToken = await site.LoginAsync("fuzz", "fuzz-password");
            foreach (var (token, spec) in new[]
            {
                (site.UserToken, new JobSpec { Script = "echo one" }),
                (site.UserToken, new JobSpec { Script = "echo held", Hold = true }),
                (site.UserToken, new JobSpec { Command = ["true"], Array = "1-3" }),
                (site.AdminToken, new JobSpec { Script = "echo admin's" }),
            })
            {
                using var client = site.Client(token);
                using var response = await client.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
                response.EnsureSuccessStatusCode();
                site.JobIds.Add((await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!.Id);
            }
            site.JobIds.Add(site.JobIds[^1] + 1000);
            return site;
        }

        private HttpClient Client(string? token)
        {
            var client = new HttpClient { BaseAddress = Server.BaseUrl };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            return client;
        }

        private async Task<string> LoginAsync(string login, string password)
        {
            using var anonymous = Client(null);
            using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest(login, password), GoDockerJson.Default.LoginRequest);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.LoginResponse))!.Token;
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            File.Delete(passwordFile);
            Directory.Delete(volumeRoot, recursive: true);
        }
    }
}
