using GoDocker.Jobs;
using GoDocker.Server.UseCases;
using GoDocker.Storage;

namespace GoDocker.Server.Tests.UseCases;

public sealed class JobSubmissionTests : UseCaseTest
{
    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Jobs:MaxPendingPerUser"] = "3",
    };

    private static IdempotencyKey Key(string key, string fingerprint = "same request") => new(key, fingerprint);

    [Fact]
    public async Task Submit_StoresAPendingJobOfTheCaller()
    {
        var outcome = await Submission().SubmitAsync(Alice, ASpec("hello"), null, Ct);

        var stored = Assert.IsType<SubmitOutcome.Stored>(outcome);
        Assert.False(stored.Array);
        var job = Assert.Single(stored.Jobs);
        Assert.Equal((JobState.Pending, "alice", "hello"), (job.State, job.Owner, job.Spec.Name));
        Assert.Equal(job with { Spec = null! }, (await GetAsync(job.Id)) with { Spec = null! });
    }

    [Fact]
    public async Task Submit_OfAnArray_StoresEveryTask_UnderTheFirstTasksId()
    {
        var outcome = await Submission().SubmitAsync(Alice, ASpec() with { Array = "1-3" }, null, Ct);

        var stored = Assert.IsType<SubmitOutcome.Stored>(outcome);
        Assert.True(stored.Array);
        Assert.Equal(3, stored.Jobs.Count);
        Assert.All(stored.Jobs, j => Assert.Equal(stored.First.Id, j.ArrayId));
        Assert.Equal([1, 2, 3], stored.Jobs.Select(j => j.Spec.Task!.Id));
    }

    [Fact]
    public async Task Submit_WithHold_StoresTheJobHeldByTheUser()
    {
        var job = await SubmittedAsync(Alice, ASpec() with { Hold = true });

        Assert.Equal("user", job.HeldBy);
    }

    public static TheoryData<JobSpec, string> InvalidSpecs => new()
    {
        { ASpec() with { Cpus = -1 }, "cpus" },
        { ASpec() with { Memory = "lots" }, "memory" },
        { ASpec() with { Array = "5-1" }, "array" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public async Task Submit_OfAnInvalidSpec_IsInvalid_NamingTheField_AndStoresNothing(JobSpec spec, string field)
    {
        var outcome = await Submission().SubmitAsync(Alice, spec, null, Ct);

        Assert.Contains(field, Assert.IsType<SubmitOutcome.Invalid>(outcome).Errors.Keys);
        Assert.Equal(0, (await Store.ListAsync(new JobQuery(), Ct)).Total);
    }

    [Fact]
    public async Task Submit_ToAProjectTheCallerIsNotIn_IsForbidden_NamingTheProject()
    {
        var outcome = await Submission().SubmitAsync(Alice, ASpec() with { Project = "astro" }, null, Ct);

        Assert.Equal(new SubmitOutcome.Forbidden("project", "you are not a member of project 'astro'"), outcome);
    }

    [Fact]
    public async Task Submit_AsRoot_WithoutTheGrant_IsForbidden_NamingRoot()
    {
        var outcome = await Submission().SubmitAsync(Alice, ASpec() with { Root = true }, null, Ct);

        Assert.Equal("root", Assert.IsType<SubmitOutcome.Forbidden>(outcome).Field);
    }

    [Theory]
    [InlineData(3, null, 3)]      // the limit reached: one more is refused
    [InlineData(1, "1-3", 1)]     // an array counts every task
    public async Task Submit_PastThePendingLimit_IsTooManyPending_WithTheCount(int before, string? array, long pending)
    {
        for (var i = 0; i < before; i++)
        {
            await SubmittedAsync(Alice);
        }

        var outcome = await Submission().SubmitAsync(Alice, ASpec() with { Array = array }, null, Ct);

        var refused = Assert.IsType<SubmitOutcome.TooManyPending>(outcome);
        Assert.Equal((pending, 3), (refused.Pending, refused.Limit));
        Assert.Equal($"you have {pending} pending jobs; the limit is 3: wait for some to start", refused.Message);
    }

    [Fact]
    public async Task Submit_PastAnAdministratorsPendingQuota_IsOverQuota()
    {
        await Store.SetLimitsAsync(new GoDocker.Usage.AccountLimits(GoDocker.Usage.AccountKind.User, "alice", null, null,
            new GoDocker.Usage.Quota { MaxPendingJobs = 1 }), Ct);
        await SubmittedAsync(Alice);

        var outcome = await Submission().SubmitAsync(Alice, ASpec(), null, Ct);

        Assert.Equal(new SubmitOutcome.OverQuota("user quota: 1 pending jobs, at most 1; wait for some to start"), outcome);
    }

    [Fact]
    public async Task Submit_DependingOnAJobTheCallerMayNotSee_IsAnUnknownDependency_AsIfItDidNotExist()
    {
        var bobs = await SubmittedAsync(Bob);

        var hidden = await Submission().SubmitAsync(Alice, ASpec() with { Dependency = $"afterok:{bobs.Id}" }, null, Ct);
        var missing = await Submission().SubmitAsync(Alice, ASpec() with { Dependency = "afterok:999" }, null, Ct);

        Assert.Equal(new SubmitOutcome.UnknownDependency(bobs.Id), hidden);
        Assert.Equal($"job {bobs.Id} does not exist", ((SubmitOutcome.UnknownDependency)hidden).Message);
        Assert.Equal(new SubmitOutcome.UnknownDependency(999), missing);
    }

    [Fact]
    public async Task Submit_DependingOnAJobTheCallerSees_IsStored()
    {
        var own = await SubmittedAsync(Alice);

        var outcome = await Submission().SubmitAsync(Alice, ASpec() with { Dependency = $"afterok:{own.Id}" }, null, Ct);

        Assert.Equal(own.Id, Assert.Single(Assert.IsType<SubmitOutcome.Stored>(outcome).First.Spec.Dependencies).JobId);
    }

    [Fact]
    public async Task Submit_AgainWithTheSameKey_IsReplayed_WithTheFirstJob_EvenPastTheLimitNow()
    {
        var first = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec(), Key("k1"), Ct)).First;
        await SubmittedAsync(Alice);
        await SubmittedAsync(Alice); // the limit of 3 is reached

        var again = await Submission().SubmitAsync(Alice, ASpec(), Key("k1"), Ct);

        Assert.Equal(first.Id, Assert.IsType<SubmitOutcome.Replayed>(again).Job.Id);
        Assert.Equal(3, (await Store.ListAsync(new JobQuery(), Ct)).Total);
    }

    [Fact]
    public async Task Submit_AgainWithTheSameKey_OfAnArray_IsReplayed_AsTheArray()
    {
        var first = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec() with { Array = "1-2" }, Key("k1"), Ct));

        var again = Assert.IsType<SubmitOutcome.Replayed>(await Submission().SubmitAsync(Alice, ASpec() with { Array = "1-2" }, Key("k1"), Ct));

        Assert.Equal((first.First.Id, true), (again.Job.Id, again.Array));
    }

    [Fact]
    public async Task Submit_WithAKeyUsedForAnotherRequest_IsKeyReused_NamingTheFirstJob()
    {
        var first = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec(), Key("k1"), Ct)).First;

        var other = await Submission().SubmitAsync(Alice, ASpec("other"), Key("k1", "another request"), Ct);

        var reused = Assert.IsType<SubmitOutcome.KeyReused>(other);
        Assert.Equal(first.Id, reused.FirstJobId);
        Assert.Equal($"Idempotency-Key 'k1' was used in the last 24 hours for another submit (job {first.Id}): use a new key for a new request",
            reused.Message("Idempotency-Key"));
    }

    [Fact]
    public async Task Submit_WithTheSameKey_ByAnotherUser_IsTheirOwnSubmit()
    {
        var alices = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Alice, ASpec(), Key("k1"), Ct)).First;

        var bobs = Assert.IsType<SubmitOutcome.Stored>(await Submission().SubmitAsync(Bob, ASpec(), Key("k1"), Ct)).First;

        Assert.NotEqual(alices.Id, bobs.Id);
        Assert.Equal("bob", bobs.Owner);
    }
}
