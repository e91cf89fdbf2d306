using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using GoDocker.Notifications;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Job mail and webhooks through the HTTP API against the real engine: mail received by a real SMTP server (Debian's
/// python3-aiosmtpd, scripts/smtp.sh), webhooks by a local receiver that verifies the signature with the secret shown
/// at creation, retried when the receiver fails, and a hanging receiver that never holds up the scheduler.
/// </summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string mailDir = Directory.CreateTempSubdirectory("godocker-test-mail-").FullName;
    private readonly HookReceiver receiver = new();
    private int smtpPort;
    private ServerProcess server = null!;

    private GoDockerApi Api => server.Api;

    public async Task InitializeAsync()
    {
        smtpPort = await StartSmtpAsync(mailDir);
        receiver.Start();
        server = await ServerProcess.StartAsync(Settings(smtpPort, receiver.Prefix));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        receiver.Dispose();
        await Smtp("stop", mailDir);
        Directory.Delete(mailDir, recursive: true);
    }

    private static Dictionary<string, string> Settings(int smtpPort, string hooks) => new()
    {
        ["Notifications:Smtp:Host"] = "127.0.0.1",
        ["Notifications:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Notifications:Smtp:Security"] = "none",
        ["Notifications:Smtp:From"] = "godocker@example.org",
        ["Notifications:UserWebhookUrlPrefixes:0"] = hooks,
        ["Notifications:PollInterval"] = "00:00:00.200",
        ["Notifications:FirstRetryDelay"] = "00:00:01",
        ["Notifications:MaxRetryDelay"] = "00:00:02",
        ["Notifications:DeliveryTimeout"] = "00:00:05",
    };

    [Fact]
    public async Task AJobThatExits3_WithMailTypeEndFail_IsMailedOnce_WithItsIdStateAndExitCode()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "exit 3", Name = "mailed", MailType = "END,FAIL", MailUser = "ana@example.org" });
        var done = await Api.WaitEndAsync(job.Id);
        Assert.Equal((JobState.Failed, 3), (done.State, done.ExitCode));

        var mail = await MailAboutAsync(job.Id);

        Assert.Contains($"Subject: GoDocker Job_id={job.Id} Name=mailed Failed, Run time ", mail.Text, StringComparison.Ordinal);
        Assert.Contains(", FAILED, ExitCode 3", mail.Text, StringComparison.Ordinal);
        Assert.Contains("State      Failed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("ExitCode   3", mail.Text, StringComparison.Ordinal);
        Assert.Equal("ana@example.org", mail.Recipients.Trim());
        // Its begin is no END or FAIL: one mail, and it is never sent again.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(Mails(), m => m.Text.Contains($"Job_id={job.Id} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMailServerDown_AtTheEnd_GetsTheMailAfterItAndTheServerRestart_FromTheOutbox()
    {
        await Smtp("stop", mailDir);
        var job = await Api.SubmitAsync(new JobSpec { Script = "exit 5", Name = "outbox", MailType = "FAIL", MailUser = "ana@example.org" });
        await Api.WaitEndAsync(job.Id);
        await Until.TrueAsync(() => Task.FromResult(server.Log.Contains($"job {job.Id}: notice", StringComparison.Ordinal)), Deadline,
            () => $"a failed try of job {job.Id}'s mail; server log:\n{server.Log}");

        await server.KillHardAsync();
        await StartSmtpAsync(mailDir, smtpPort);
        await server.StartAgainAsync();

        var mail = await MailAboutAsync(job.Id);
        Assert.Contains(", FAILED, ExitCode 5", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserWebhook_GetsTheSignedEvent_VerifiedWithTheSecretShownOnce()
    {
        var hook = await AddWebhookAsync(receiver.Prefix + "ok", "END");
        Assert.StartsWith("whsec_", hook.Secret, StringComparison.Ordinal);
        Assert.DoesNotContain(hook.Secret!, await Api.Http.GetStringAsync("/api/v1/webhooks"), StringComparison.Ordinal);

        var job = await Api.SubmitAsync(new JobSpec { Script = "exit 0" });
        await Api.WaitEndAsync(job.Id);
        var delivery = await receiver.WaitAsync("ok", job.Id, Deadline);

        Assert.True(WebhookSignature.Verify(Encoding.UTF8.GetBytes(hook.Secret!), delivery.Signature, delivery.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
            $"signature {delivery.Signature} does not verify");
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes(hook.Secret! + "x"), delivery.Signature, delivery.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        using var json = JsonDocument.Parse(delivery.Body);
        var root = json.RootElement;
        Assert.Equal("job.ended", root.GetProperty("type").GetString());
        Assert.Equal("Succeeded", root.GetProperty("state").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("Exited", root.GetProperty("cause").GetString());
        Assert.Equal(1, root.GetProperty("attempt").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("user").GetString()));
        // END only: its begin was not posted.
        Assert.Single(receiver.Received("ok", job.Id));
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.DeleteAsync($"/api/v1/webhooks/{hook.Id}")).StatusCode);
    }

    [Fact]
    public async Task AReceiverThatFailsTwice_GetsTheEventOnTheThirdTry()
    {
        var hook = await AddWebhookAsync(receiver.Prefix + "flaky", "FAIL");
        var job = await Api.SubmitAsync(new JobSpec { Script = "exit 1" });
        await Api.WaitEndAsync(job.Id);

        var accepted = await receiver.WaitAsync("flaky", job.Id, Deadline);

        using var json = JsonDocument.Parse(accepted.Body);
        Assert.Equal(3, json.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(3, receiver.Received("flaky", job.Id).Count);
        await Api.Http.DeleteAsync($"/api/v1/webhooks/{hook.Id}");
    }

    [Fact]
    public async Task WhileAReceiverHangs_TheSchedulerKeepsLaunching()
    {
        var hook = await AddWebhookAsync(receiver.Prefix + "hang", "ALL");
        var first = await Api.SubmitAsync(new JobSpec { Script = "true" });
        await Api.WaitEndAsync(first.Id);
        await receiver.WaitAsync("hang", first.Id, Deadline);

        // Every notice of these hangs until the delivery timeout; they start and end all the same.
        var jobs = new List<JobView>();
        for (var i = 0; i < 6; i++)
        {
            jobs.Add(await Api.SubmitAsync(new JobSpec { Script = "true" }));
        }
        foreach (var job in jobs)
        {
            Assert.Equal(JobState.Succeeded, (await Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60))).State);
        }
        Assert.True(receiver.Hanging > 0, "the receiver never hung a request");
        await Api.Http.DeleteAsync($"/api/v1/webhooks/{hook.Id}");
    }

    [Fact]
    public async Task TheSsrfAttack_AWebhookToTheMetadataServiceOrLocalhost_IsRefused_NamingTheUrl()
    {
        foreach (var url in (string[])["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:5432/", receiver.Prefix.Replace("/hooks/", "/admin/", StringComparison.Ordinal)])
        {
            using var response = await Api.Http.PostAsJsonAsync("/api/v1/webhooks", new NewWebhookRequest(url, "ALL"), GoDockerJson.Default.NewWebhookRequest);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"url\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Http.DeleteAsync("/api/v1/webhooks/wh_nosuch")).StatusCode);
    }

    [Fact]
    public async Task ABadMailType_OrMailUser_IsA400_NamingTheField()
    {
        using var type = await Api.PostRawAsync("/api/v1/jobs", """{"script":"true","mailType":"END,LATER"}""");
        using var user = await Api.PostRawAsync("/api/v1/jobs", """{"script":"true","mailUser":"ana@example.org\r\nBcc: all@example.org"}""");

        Assert.Equal(HttpStatusCode.BadRequest, type.StatusCode);
        Assert.Contains("\"mailType\"", await type.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, user.StatusCode);
        Assert.Contains("\"mailUser\"", await user.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<WebhookView> AddWebhookAsync(string url, string events)
    {
        using var response = await Api.Http.PostAsJsonAsync("/api/v1/webhooks", new NewWebhookRequest(url, events), GoDockerJson.Default.NewWebhookRequest);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.WebhookView))!;
    }

    private sealed record Mail(string Text, string Recipients);

    // Headers unfolded (RFC 5322: a long Subject is folded over lines, each continuation starting with a blank).
    private List<Mail> Mails() =>
        [.. Directory.GetFiles(mailDir, "*.eml").Select(f => new Mail(
            File.ReadAllText(f).Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal),
            File.ReadAllText(Path.ChangeExtension(f, ".rcpt"))))];

    private async Task<Mail> MailAboutAsync(long jobId)
    {
        Mail? found = null;
        await Until.TrueAsync(() =>
        {
            found = Mails().FirstOrDefault(m => m.Text.Contains($"Job_id={jobId} ", StringComparison.Ordinal));
            return Task.FromResult(found is not null);
        }, Deadline, () => $"a mail about job {jobId}; server log:\n{server.Log}");
        return found!;
    }

    private static async Task<int> StartSmtpAsync(string dir, int port = 0)
    {
        var started = await Smtp("start", dir, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(started.ExitCode == 0, $"scripts/smtp.sh start: {started}");
        return int.Parse(started.Stdout.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<BoundedProcess.Result> Smtp(params string[] args) =>
        BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/smtp.sh"), .. args], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));

    /// <summary>
    /// A local webhook receiver: /hooks/ok answers 204; /hooks/flaky answers 500 to the first two tries of each event, then
    /// 204; /hooks/hang never answers (until the test ends). Each request is kept with its body and signature.
    /// </summary>
    private sealed class HookReceiver : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly ConcurrentQueue<(string Path, long JobId, string Signature, byte[] Body)> received = new();
        private readonly CancellationTokenSource stopping = new();
        private int hanging;

        public string Prefix { get; private set; } = "";
        public int Hanging => Volatile.Read(ref hanging);

        public void Start()
        {
            var port = FreePort();
            Prefix = $"http://127.0.0.1:{port}/hooks/";
            listener.Prefixes.Add(Prefix);
            listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public List<(string Signature, byte[] Body)> Received(string path, long jobId) =>
            [.. received.Where(r => r.Path == path && r.JobId == jobId).Select(r => (r.Signature, r.Body))];

        public async Task<(string Signature, byte[] Body)> WaitAsync(string path, long jobId, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                // The accepted one: for "flaky", the third.
                var got = Received(path, jobId);
                if (got.Count >= (path == "flaky" ? 3 : 1))
                {
                    return got[^1];
                }
                await Task.Delay(100);
            }
            throw new TimeoutException($"no event for job {jobId} at /hooks/{path} within {timeout}");
        }

        private async Task AcceptAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                _ = Task.Run(() => AnswerAsync(context));
            }
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var bytes = body.ToArray();
            var path = context.Request.Url!.AbsolutePath["/hooks/".Length..];
            long jobId;
            try
            {
                jobId = JsonDocument.Parse(bytes).RootElement.GetProperty("jobId").GetInt64();
            }
            catch (JsonException)
            {
                jobId = -1;
            }
            received.Enqueue((path, jobId, context.Request.Headers[WebhookSignature.Header] ?? "", bytes));
            if (path == "hang")
            {
                Interlocked.Increment(ref hanging);
                try
                {
                    await Task.Delay(Timeout.Infinite, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
            context.Response.StatusCode = path == "flaky" && Received(path, jobId).Count <= 2 ? 500 : 204;
            context.Response.Close();
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            stopping.Cancel();
            listener.Close();
            stopping.Dispose();
        }
    }
}
