using System.Net;
using GoDocker.Jobs;
using GoDocker.Notifications;
using GoDocker.Server.Notifications;
using GoDocker.Server.Tests.UseCases;
using GoDocker.Storage;
using GoDocker.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Notifications;

/// <summary>
/// The leader's sender over the real SQLite outbox, a fake clock, a mailer that fails as told and a webhook receiver
/// answering as told: who gets what, retries by the backoff, nothing sent twice, given up at last.
/// </summary>
public sealed class NotificationSenderTests : UseCaseTest
{
    private readonly FlakyMailer mailer = new();
    private readonly Receiver receiver = new();
    private SqliteNotificationStore outbox = null!;

    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Notifications:Smtp:Host"] = "mail.example.org",
        ["Notifications:MaxAttempts"] = "3",
        ["Notifications:FirstRetryDelay"] = "00:00:30",
        ["Notifications:MaxRetryDelay"] = "00:10:00",
        ["Notifications:Webhooks:0:Url"] = "https://hooks.example.org/site",
        ["Notifications:Webhooks:0:Events"] = "FAIL",
        ["Notifications:Webhooks:0:SecretFile"] = SecretFile,
    };

    private static readonly string SecretFile = WriteSecret();

    private static string WriteSecret()
    {
        var path = Path.Combine(Path.GetTempPath(), "godocker-sender-test-secret");
        File.WriteAllText(path, "site-secret\n");
        return path;
    }

    private async Task<NotificationSender> SenderAsync()
    {
        outbox ??= await SqliteNotificationStore.OpenAsync(DatabasePath, Ct);
        return new NotificationSender(outbox, mailer, new WebhookPoster(new HttpClient(receiver), Time),
            new WebhookKeys(Settings.Notifications, "stored"), new WebhookUrlPolicy(Settings.Notifications.UserWebhookUrlPrefixes),
            Options.Create(Settings), Time, NullLogger<NotificationSender>.Instance);
    }

    private async Task<Job> FailedAsync(string mailType)
    {
        var job = await SubmittedAsync(Alice, ASpec() with { MailType = mailType, MailUser = "alice@example.org" });
        var placed = await Store.ApplyPlanAsync(
            new GoDocker.Scheduling.Plan([new(job.Id, job.Version, "n1", job.Spec.Resources)], new Dictionary<long, string>()),
            [new GoDocker.Scheduling.NodeInfo("n1", new Resources(4, 16L << 30, 0))], Ct);
        Assert.Single(placed);
        var scheduled = await GetAsync(job.Id);
        var running = await Store.TransitionAsync(new JobChange(job.Id, scheduled.Version, JobState.Running, "started", "started")
        {
            ContainerId = "c1",
            StartedAt = Time.GetUtcNow(),
        }, Ct);
        Time.Advance(TimeSpan.FromSeconds(5));
        return await Store.TransitionAsync(JobLifecycle.End(running, JobState.Failed, GoDocker.Execution.EndCause.Exited, "exited 3", Time.GetUtcNow(), exitCode: 3), Ct);
    }

    [Fact]
    public async Task AFailedJob_IsMailedAndPostedOnce_AndItsBeginIsNotMailedForEndFail()
    {
        var sender = await SenderAsync();
        var job = await FailedAsync("END,FAIL");

        await sender.SendDueAsync(Ct);
        await sender.SendDueAsync(Ct);

        var mail = Assert.Single(mailer.Sent);
        Assert.Equal(("alice@example.org", job.Id, JobState.Failed, 3), (mail.To, mail.Notice.JobId, mail.Notice.State, mail.Notice.ExitCode));
        // The site's webhook subscribes to FAIL: the end, not the begin.
        var posted = Assert.Single(receiver.Bodies);
        Assert.Contains("\"type\":\"job.ended\"", posted, StringComparison.Ordinal);
        var notices = await outbox.ListForJobAsync(job.Id, Ct);
        Assert.Equal([NoticeKind.Began, NoticeKind.Ended], notices.Select(n => n.Notice.Kind));
        Assert.All(notices, n => Assert.NotNull(n.DoneAt));
    }

    [Fact]
    public async Task AFailingMailServer_IsTriedAgainByTheBackoff_AndTheWebhookThatGotItIsNotPostedAgain()
    {
        var sender = await SenderAsync();
        var job = await FailedAsync("FAIL");
        mailer.FailuresLeft = 2;

        await sender.SendDueAsync(Ct);
        Assert.Empty(mailer.Sent);
        Assert.Single(receiver.Bodies);

        Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await sender.SendDueAsync(Ct));
        Time.Advance(TimeSpan.FromSeconds(1));
        await sender.SendDueAsync(Ct);
        Assert.Empty(mailer.Sent);

        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await sender.SendDueAsync(Ct));
        Time.Advance(TimeSpan.FromSeconds(1));
        await sender.SendDueAsync(Ct);

        Assert.Single(mailer.Sent);
        Assert.Single(receiver.Bodies);
        var ended = (await outbox.ListForJobAsync(job.Id, Ct)).Single(n => n.Notice.Kind == NoticeKind.Ended);
        Assert.Equal((3, (string?)null), (ended.Attempts, ended.LastError));
        Assert.NotNull(ended.DoneAt);
    }

    [Fact]
    public async Task ADeliveryThatNeverSucceeds_IsGivenUp_AfterMaxAttempts()
    {
        var sender = await SenderAsync();
        var job = await FailedAsync("FAIL");
        receiver.Answer = HttpStatusCode.InternalServerError;

        for (var i = 0; i < 10; i++)
        {
            await sender.SendDueAsync(Ct);
            Time.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(3, receiver.Bodies.Count);
        var ended = (await outbox.ListForJobAsync(job.Id, Ct)).Single(n => n.Notice.Kind == NoticeKind.Ended);
        Assert.Equal(3, ended.Attempts);
        Assert.Null(ended.NextTry);
        Assert.Contains("answered 500", ended.LastError, StringComparison.Ordinal);
        Assert.Single(mailer.Sent);
    }

    private sealed class FlakyMailer : IJobMailer
    {
        public List<(string To, JobNotice Notice)> Sent { get; } = [];
        public int FailuresLeft { get; set; }
        public bool Configured => true;

        public Task SendAsync(JobNotice notice, string to, CancellationToken cancellationToken)
        {
            if (FailuresLeft-- > 0)
            {
                throw new IOException("421 mail.example.org: try again later");
            }
            lock (Sent)
            {
                Sent.Add((to, notice));
            }
            return Task.CompletedTask;
        }
    }

    private sealed class Receiver : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];
        public HttpStatusCode Answer { get; set; } = HttpStatusCode.NoContent;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            lock (Bodies)
            {
                Bodies.Add(body);
            }
            return new HttpResponseMessage(Answer);
        }
    }
}
