using GoDocker.Jobs;
using GoDocker.Notifications;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// The notification outbox and webhooks, alike in every store: a job's change writes its notice in the change's own
/// transaction (a conflicting change writes none), due notices are read oldest first with the targets they reached,
/// tries are recorded, done ones are not due again, and all of it outlives a reopen.
/// </summary>
public abstract class NotificationStoreContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private async Task<INotificationStore> OutboxAsync() => await Provider.OpenNotificationsAsync();

    [Fact]
    public async Task AStartAndAnEnd_WriteTheirNotices_InTheTransition_WithWhatTheMailNeeds()
    {
        var outbox = await OutboxAsync();
        var running = await JobInStateAsync(JobState.Running);
        Time.Advance(TimeSpan.FromSeconds(5));
        var failed = await Store.TransitionAsync(JobLifecycle.End(running, JobState.Failed, GoDocker.Execution.EndCause.Exited, "exited 3", Time.GetUtcNow(), exitCode: 3), Ct);

        var notices = await outbox.ListForJobAsync(failed.Id, Ct);

        Assert.Equal([NoticeKind.Began, NoticeKind.Ended], notices.Select(n => n.Notice.Kind));
        var ended = notices[1].Notice;
        Assert.Equal((failed.Id, "alice", JobState.Failed, 3, "n1"), (ended.JobId, ended.Owner, ended.State, ended.ExitCode, ended.Node));
        Assert.Equal(Start.AddSeconds(5), ended.At);
        Assert.Equal([notices[0].Id, notices[1].Id], (await outbox.ListDueAsync(Time.GetUtcNow(), 10, Ct)).Select(n => n.Id));
    }

    [Fact]
    public async Task AConflictingChange_WritesNoNotice()
    {
        var outbox = await OutboxAsync();
        var running = await JobInStateAsync(JobState.Running);
        await MoveAsync(running, JobState.Succeeded);

        await Assert.ThrowsAsync<JobVersionConflictException>(async () => await MoveAsync(running, JobState.Failed));

        Assert.Equal([NoticeKind.Began, NoticeKind.Ended], (await outbox.ListForJobAsync(running.Id, Ct)).Select(n => n.Notice.Kind));
    }

    [Fact]
    public async Task Tries_AreRecorded_DeliveredTargetsKept_AndADoneNoticeIsNotDueAgain_AcrossAReopen()
    {
        var outbox = await OutboxAsync();
        var killed = await JobInStateAsync(JobState.Killed);
        var notice = Assert.Single(await outbox.ListDueAsync(Time.GetUtcNow(), 10, Ct));
        Assert.Equal(killed.Id, notice.Notice.JobId);

        await outbox.RecordDeliveredAsync(notice.Id, "mail:alice@example.org", Time.GetUtcNow(), Ct);
        await outbox.RecordDeliveredAsync(notice.Id, "mail:alice@example.org", Time.GetUtcNow(), Ct);
        await outbox.RecordTryAsync(notice.Id, 1, Time.GetUtcNow().AddSeconds(30), "user:wh_1: answered 500", Time.GetUtcNow(), Ct);
        Assert.Empty(await outbox.ListDueAsync(Time.GetUtcNow().AddSeconds(29), 10, Ct));

        await ReopenAsync();
        outbox = await OutboxAsync();
        var again = Assert.Single(await outbox.ListDueAsync(Time.GetUtcNow().AddSeconds(30), 10, Ct));
        Assert.Equal((1, "user:wh_1: answered 500"), (again.Attempts, again.LastError));
        Assert.Equal(["mail:alice@example.org"], again.Delivered);

        await outbox.RecordTryAsync(notice.Id, 2, null, null, Time.GetUtcNow().AddSeconds(31), Ct);
        Assert.Empty(await outbox.ListDueAsync(Time.GetUtcNow().AddDays(1), 10, Ct));
        var done = Assert.Single(await outbox.ListForJobAsync(killed.Id, Ct));
        Assert.Equal((2, (string?)null, (DateTimeOffset?)null, (DateTimeOffset?)Time.GetUtcNow().AddSeconds(31)), (done.Attempts, done.LastError, done.NextTry, done.DoneAt));
    }

    [Fact]
    public async Task ListDue_IsOldestFirst_UpToTheLimit()
    {
        var outbox = await OutboxAsync();
        var jobs = new List<Job>();
        for (var i = 0; i < 3; i++)
        {
            jobs.Add(await JobInStateAsync(JobState.Killed));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(jobs.Take(2).Select(j => j.Id), (await outbox.ListDueAsync(Time.GetUtcNow(), 2, Ct)).Select(n => n.Notice.JobId));
    }

    [Fact]
    public async Task Webhooks_AreEachOwnersOwn()
    {
        var outbox = await OutboxAsync();
        var alices = new UserWebhook("wh_a", "alice", "https://hooks.example.org/a", MailTypes.End | MailTypes.Fail, Start);
        await outbox.AddWebhookAsync(alices, Ct);
        await outbox.AddWebhookAsync(new UserWebhook("wh_b", "bob", "https://hooks.example.org/b", MailTypes.All, Start.AddSeconds(1)), Ct);

        Assert.Equal([alices], await outbox.ListWebhooksAsync("alice", Ct));
        Assert.Equal(["wh_a", "wh_b"], (await outbox.ListWebhooksAsync(null, Ct)).Select(w => w.Id));
        Assert.False(await outbox.RemoveWebhookAsync("bob", "wh_a", Ct));
        Assert.True(await outbox.RemoveWebhookAsync("alice", "wh_a", Ct));
        Assert.Empty(await outbox.ListWebhooksAsync("alice", Ct));
        Assert.Single(await outbox.ListWebhooksAsync("bob", Ct));
    }
}
