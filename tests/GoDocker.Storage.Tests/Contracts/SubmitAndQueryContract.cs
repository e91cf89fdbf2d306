using GoDocker.Jobs;
using GoDocker.Storage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

public abstract class SubmitAndQueryContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    [Fact]
    public async Task Submit_StoresAPendingJob_AtVersion1_WithASubmittedEvent()
    {
        var job = await SubmitAsync(ASpec().Project("physics"), owner: "alice");

        Assert.True(job.Id > 0);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal(1, job.Version);
        Assert.Equal(0, job.Attempt);
        Assert.Equal("alice", job.Owner);
        Assert.Equal(Start, job.SubmittedAt);
        Assert.False(string.IsNullOrWhiteSpace(job.Reason));   // every pending job says why
        Assert.Null(job.Node);

        var stored = await GetAsync(job);
        Assert.Equal(WithoutSpec(job), WithoutSpec(stored));

        var submitted = Assert.Single(await Store.GetEventsAsync(job.Id, Ct));
        Assert.Equal("submitted", submitted.Kind);
        Assert.Equal(Start, submitted.At);
        Assert.Contains("alice", submitted.Message);
        Assert.Contains("physics", submitted.Message);
    }

    [Fact]
    public async Task CountJobs_CountsEveryJob_ByStateAndProject()
    {
        Assert.Empty(await Store.CountJobsAsync(Ct));
        await SubmitAsync(ASpec().Project("physics"));
        await SubmitAsync(ASpec().Project("physics"), owner: "bob");
        await SubmitAsync(ASpec().Project("biology"));
        await JobInStateAsync(JobState.Running, ASpec().Project("physics"));
        await JobInStateAsync(JobState.Succeeded, ASpec().Project("biology"));
        await JobInStateAsync(JobState.Succeeded, ASpec().Project("biology"));

        var counts = (await Store.CountJobsAsync(Ct)).OrderBy(c => c.State).ThenBy(c => c.Project, StringComparer.Ordinal).ToList();

        Assert.Equal(
            [
                new JobCount(JobState.Pending, "biology", 1),
                new JobCount(JobState.Pending, "physics", 2),
                new JobCount(JobState.Running, "physics", 1),
                new JobCount(JobState.Succeeded, "biology", 2),
            ],
            counts);
    }

    [Fact]
    public async Task Submit_KeepsTheWholeSpec()
    {
        var spec = ASpec().Name("analysis").Cpus(2.5).Mem("3G").Project("physics").Tags("nightly", "gpu").Build();

        var stored = (await GetAsync((await Store.SubmitAsync(spec, "alice", Ct)).Id)).Spec;

        Assert.Equal("analysis", stored.Name);
        Assert.Equal(spec.Command, stored.Command);
        Assert.Equal("debian:bookworm", stored.Image);
        Assert.Equal(2.5, stored.Cpus);
        Assert.Equal(3 * GiB, stored.MemoryBytes);
        Assert.Equal("physics", stored.Project);
        Assert.Equal(["nightly", "gpu"], stored.Tags);
        Assert.Equal("hello", stored.Env["GREETING"]);
        Assert.Equal("astro", stored.Labels["team"]);
        Assert.Equal(3600, stored.WalltimeSeconds);
        Assert.Equal("/data", stored.Workdir);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Submit_KeepsWhetherTheJobIsRequeuedWhenItsNodeGoesDown(bool requeue)
    {
        var spec = ASpec().Build() with { Requeue = requeue };

        var stored = (await GetAsync((await Store.SubmitAsync(spec, "alice", Ct)).Id)).Spec;

        Assert.Equal(requeue, stored.Requeue);
    }

    [Fact]
    public async Task Submit_GivesEachJobANewId()
    {
        var first = await SubmitAsync();
        var second = await SubmitAsync();

        Assert.True(second.Id > first.Id);
    }

    [Fact]
    public async Task Get_ReturnsNull_ForAnUnknownJob()
    {
        Assert.Null(await Store.GetAsync(999, Ct));
    }

    /// <summary>
    /// 1 alice physics [nightly] Pending · 2 bob physics [] Running · 3 alice chem [nightly, gpu] Killed ·
    /// 4 bob chem [gpu] Pending · 5 alice physics [gpu, gpu] Pending
    /// </summary>
    private async Task<long[]> SeedAsync()
    {
        var j1 = await SubmitAsync(ASpec().Project("physics").Tags("nightly"), "alice");
        var j2 = await SubmitAsync(ASpec().Project("physics"), "bob");
        var j3 = await SubmitAsync(ASpec().Project("chem").Tags("nightly", "gpu"), "alice");
        var j4 = await SubmitAsync(ASpec().Project("chem").Tags("gpu"), "bob");
        var j5 = await SubmitAsync(ASpec().Project("physics").Tags("gpu", "gpu"), "alice");
        await StartAsync(await ScheduleAsync(j2));
        await MoveAsync(j3, JobState.Killed);
        return [j1.Id, j2.Id, j3.Id, j4.Id, j5.Id];
    }

    private static readonly Dictionary<string, (JobQuery Query, int[] Expected)> Filters = new()
    {
        ["everything"] = (new JobQuery(), [1, 2, 3, 4, 5]),
        ["pending"] = (new JobQuery { States = [JobState.Pending] }, [1, 4, 5]),
        ["running or killed"] = (new JobQuery { States = [JobState.Running, JobState.Killed] }, [2, 3]),
        ["an empty state list is no filter"] = (new JobQuery { States = [] }, [1, 2, 3, 4, 5]),
        ["owner"] = (new JobQuery { Owner = "alice" }, [1, 3, 5]),
        ["project"] = (new JobQuery { Project = "chem" }, [3, 4]),
        ["tag"] = (new JobQuery { Tag = "gpu" }, [3, 4, 5]),
        ["owner, tag and state together"] = (new JobQuery { Owner = "alice", Tag = "nightly", States = [JobState.Pending] }, [1]),
        ["project and owner"] = (new JobQuery { Project = "physics", Owner = "bob" }, [2]),
        ["unknown owner"] = (new JobQuery { Owner = "nobody" }, []),
        ["unknown tag"] = (new JobQuery { Tag = "cpu" }, []),
        ["tags match whole"] = (new JobQuery { Tag = "gp" }, []),
    };

    public static TheoryData<string> FilterCases() => new(Filters.Keys);

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task List_Filters(string because)
    {
        var ids = await SeedAsync();
        var (query, expected) = Filters[because];

        var page = await Store.ListAsync(query, Ct);

        var expectedIds = expected.Select(n => ids[n - 1]).ToArray();
        Assert.Equal(expectedIds, page.Items.Select(j => j.Id));
        Assert.Equal(expectedIds.Length, page.Total);
    }

    [Theory]
    [InlineData(0, 10, 1, 10)]
    [InlineData(10, 10, 11, 10)]
    [InlineData(20, 10, 21, 5)]
    [InlineData(25, 10, 0, 0)]
    [InlineData(0, 100, 1, 25)]
    [InlineData(3, 1, 4, 1)]
    public async Task List_Pages_InIdOrder_WithTheTotalOfAllMatches(int offset, int limit, int firstNumber, int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add((await SubmitAsync()).Id);
        }

        var page = await Store.ListAsync(new JobQuery { Offset = offset, Limit = limit }, Ct);

        Assert.Equal(25, page.Total);
        Assert.Equal(ids.Skip(firstNumber - 1).Take(count), page.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task List_WithLimitZero_CountsTheMatches_AndReadsNoJob()
    {
        foreach (var owner in new[] { "alice", "bob", "alice", "alice", "bob" })
        {
            await SubmitAsync(owner);
        }

        // What the pending count at submit asks: the total alone.
        var page = await Store.ListAsync(new JobQuery { States = [JobState.Pending], Owner = "alice", Limit = 0 }, Ct);

        Assert.Equal(3, page.Total);
        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task List_PagesWithinAFilter_AndCountsOnlyTheMatches()
    {
        var bobs = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var job = await SubmitAsync(i % 2 == 0 ? "alice" : "bob");
            if (job.Owner == "bob")
            {
                bobs.Add(job.Id);
            }
        }

        var page = await Store.ListAsync(new JobQuery { Owner = "bob", Offset = 5, Limit = 3 }, Ct);

        Assert.Equal(10, page.Total);
        Assert.Equal(bobs.Skip(5).Take(3), page.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task ListActive_ReturnsTheJobsHoldingResources_InIdOrder()
    {
        var pending = await JobInStateAsync(JobState.Pending);
        var scheduled = await JobInStateAsync(JobState.Scheduled);
        var running = await JobInStateAsync(JobState.Running);
        var suspended = await JobInStateAsync(JobState.Suspended);
        var succeeded = await JobInStateAsync(JobState.Succeeded);
        var killed = await JobInStateAsync(JobState.Killed);

        var active = await Store.ListActiveAsync(Ct);

        Assert.Equal([scheduled.Id, running.Id, suspended.Id], active.Select(j => j.Id));
        Assert.DoesNotContain(active, j => j.Id == pending.Id || j.Id == succeeded.Id || j.Id == killed.Id);
        Assert.Equal("n1", active[1].Node);
        Assert.Equal($"container-{running.Id}", active[1].ContainerId);
    }

    [Fact]
    public async Task ReadSchedulingInput_ListsPendingJobs_AsTheSchedulerNeedsThem()
    {
        var a = await SubmitAsync(ASpec().Cpus(1.5).Mem("2G").Project("physics"), "alice");
        Time.Advance(TimeSpan.FromSeconds(3));
        var b = await SubmitAsync(ASpec().Cpus(0.25).Mem("256M"), "bob");
        await JobInStateAsync(JobState.Running);
        var reason = "waiting for 8 cpus, 1 GiB on any node";
        await Store.ApplyPlanAsync(new([], new Dictionary<long, string> { [b.Id] = reason }), Nodes, Ct);

        var input = await Store.ReadSchedulingInputAsync(Ct);

        Assert.Equal(
            [
                (a.Id, 1L, "alice", "physics", 1.5, 2 * GiB, Start, a.Reason),
                (b.Id, 1L, "bob", "default", 0.25, 256L << 20, Start.AddSeconds(3), reason),
            ],
            input.Pending.Select(p => (p.Id, p.Version, p.Owner, p.Project, p.Request.Cpus, p.Request.MemoryBytes, p.SubmittedAt, p.CurrentReason)));
        Assert.All(input.Pending, p => Assert.Equal(a.Spec.WalltimeSeconds, p.WalltimeSeconds));
    }

    [Fact]
    public async Task ReadSchedulingInput_SumsWhatEachNodeHolds_OverScheduledRunningAndSuspendedJobs()
    {
        await JobInStateAsync(JobState.Scheduled, ASpec().Cpus(1).Mem("1G"), node: "n1");
        await JobInStateAsync(JobState.Running, ASpec().Cpus(2).Mem("2G"), node: "n1");
        await JobInStateAsync(JobState.Suspended, ASpec().Cpus(0.5).Mem("512M"), node: "n2");
        await JobInStateAsync(JobState.Succeeded, ASpec().Cpus(1).Mem("1G"), node: "n1");   // released
        await JobInStateAsync(JobState.Failed, ASpec().Cpus(1).Mem("1G"), node: "n2");      // released
        await JobInStateAsync(JobState.Pending, ASpec().Cpus(1).Mem("1G"));                 // holds nothing yet

        var input = await Store.ReadSchedulingInputAsync(Ct);

        Assert.Equal(["n1", "n2"], input.UsageByNode.Keys.Order());
        Assert.Equal(new Resources(3, 3 * GiB, 0), input.UsageByNode["n1"]);
        Assert.Equal(new Resources(0.5, 512L << 20, 0), input.UsageByNode["n2"]);
    }

    [Fact]
    public async Task ReadSchedulingInput_IsEmpty_ForAnEmptyStore()
    {
        var input = await Store.ReadSchedulingInputAsync(Ct);

        Assert.Empty(input.Pending);
        Assert.Empty(input.UsageByNode);
    }

    private static Job WithoutSpec(Job job) => job with { Spec = null! };
}
