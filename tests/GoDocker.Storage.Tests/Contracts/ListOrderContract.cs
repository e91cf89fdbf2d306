using GoDocker.Jobs;
using GoDocker.Storage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>How a job list is ordered (<see cref="JobQuery.Sort"/>) and searched by name (<see cref="JobQuery.NameContains"/>).</summary>
public abstract class ListOrderContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    /// <summary>
    /// Submitted at s, started at b, ended at e (seconds after <see cref="JobStoreTest.Start"/>; - = never):
    /// 1 "beta" bob physics Pending s0 · 2 "Alpha" alice chem Running s1 b10 · 3 "alpha" carol physics Succeeded s1 b10 e20 ·
    /// 4 "beta" alice bio Killed s2 e20 · 5 "gamma" bob chem Failed s3 b11 e21 · 6 "50%_done" alice physics Pending s3.
    /// Every key has ties (state: 1 and 6; submitted: 2 and 3, 5 and 6; started: 2 and 3; ended: 3 and 4), and started and ended have jobs without.
    /// </summary>
    private async Task<Job[]> SeedAsync()
    {
        var j1 = await SubmitAsync(ASpec().Name("beta").Project("physics"), "bob");
        Time.Advance(TimeSpan.FromSeconds(1));
        var j2 = await SubmitAsync(ASpec().Name("Alpha").Project("chem"), "alice");
        var j3 = await SubmitAsync(ASpec().Name("alpha").Project("physics"), "carol");
        Time.Advance(TimeSpan.FromSeconds(1));
        var j4 = await SubmitAsync(ASpec().Name("beta").Project("bio"), "alice");
        Time.Advance(TimeSpan.FromSeconds(1));
        var j5 = await SubmitAsync(ASpec().Name("gamma").Project("chem"), "bob");
        var j6 = await SubmitAsync(ASpec().Name("50%_done").Project("physics"), "alice");
        Time.SetUtcNow(Start.AddSeconds(10));
        j2 = await StartAsync(await ScheduleAsync(j2));
        j3 = await StartAsync(await ScheduleAsync(j3));
        Time.SetUtcNow(Start.AddSeconds(11));
        j5 = await StartAsync(await ScheduleAsync(j5));
        Time.SetUtcNow(Start.AddSeconds(20));
        await EndAsync(j3, JobState.Succeeded);
        await EndAsync(j4, JobState.Killed);
        Time.SetUtcNow(Start.AddSeconds(21));
        await EndAsync(j5, JobState.Failed);
        var jobs = new List<Job>();
        foreach (var job in new[] { j1, j2, j3, j4, j5, j6 })
        {
            jobs.Add(await GetAsync(job));
        }
        return [.. jobs];
    }

    private async Task EndAsync(Job job, JobState to) =>
        await Store.TransitionAsync(new JobChange(job.Id, job.Version, to, "ended", $"to {to}") { EndedAt = Time.GetUtcNow() }, Ct);

    /// <summary>The seed's jobs, by number, in each order: ties go by id, in the direction of the sort; a missing time comes last both ways.</summary>
    private static readonly Dictionary<string, int[]> Orders = new()
    {
        ["id"] = [1, 2, 3, 4, 5, 6],
        ["-id"] = [6, 5, 4, 3, 2, 1],
        ["name"] = [6, 2, 3, 1, 4, 5],       // code point order: digits, then upper case, then lower case
        ["-name"] = [5, 4, 1, 3, 2, 6],
        ["state"] = [5, 4, 1, 6, 2, 3],      // Failed, Killed, Pending, Pending, Running, Succeeded
        ["-state"] = [3, 2, 6, 1, 4, 5],
        ["owner"] = [2, 4, 6, 1, 5, 3],
        ["-owner"] = [3, 5, 1, 6, 4, 2],
        ["project"] = [4, 2, 5, 1, 3, 6],
        ["-project"] = [6, 3, 1, 5, 2, 4],
        ["submitted"] = [1, 2, 3, 4, 5, 6],
        ["-submitted"] = [6, 5, 4, 3, 2, 1],
        ["started"] = [2, 3, 5, 1, 4, 6],
        ["-started"] = [5, 3, 2, 6, 4, 1],
        ["ended"] = [3, 4, 5, 1, 2, 6],
        ["-ended"] = [5, 4, 3, 6, 2, 1],
    };

    public static TheoryData<string> Sorts() => new(Orders.Keys);

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task List_Sorts_ByEachKey_BothWays_TiesByIdInTheSameDirection(string sort)
    {
        var jobs = await SeedAsync();
        Assert.True(JobSort.TryParse(sort, out var order));

        var page = await Store.ListAsync(new JobQuery { Sort = order }, Ct);

        Assert.Equal(Orders[sort].Select(n => jobs[n - 1].Id), page.Items.Select(j => j.Id));
        Assert.Equal(6, page.Total);
    }

    [Fact]
    public async Task List_IsOldestFirst_WhenNoSortIsGiven()
    {
        var jobs = await SeedAsync();

        var page = await Store.ListAsync(new JobQuery(), Ct);

        Assert.Equal(jobs.Select(j => j.Id), page.Items.Select(j => j.Id));
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task List_PagesOfASort_FollowOneAnother_WithoutRepeatsOrGaps(string sort)
    {
        // Many equal keys (three owners, two states, one submit time, most never started): only the id keeps pages apart.
        for (var i = 0; i < 17; i++)
        {
            var job = await SubmitAsync(ASpec().Name(i % 2 == 0 ? "even" : "odd").Project(i % 3 == 0 ? "chem" : "physics"), new[] { "alice", "bob", "carol" }[i % 3]);
            if (i % 4 == 0)
            {
                await MoveAsync(job, JobState.Killed);
            }
        }
        Assert.True(JobSort.TryParse(sort, out var order));
        var whole = await Store.ListAsync(new JobQuery { Sort = order, Limit = 100 }, Ct);

        var paged = new List<long>();
        for (var offset = 0; offset < 17; offset += 4)
        {
            var page = await Store.ListAsync(new JobQuery { Sort = order, Offset = offset, Limit = 4 }, Ct);
            Assert.Equal(17, page.Total);
            paged.AddRange(page.Items.Select(j => j.Id));
        }

        Assert.Equal(whole.Items.Select(j => j.Id), paged);
        Assert.Equal(17, paged.Distinct().Count());
    }

    private static readonly string[] Names =
        ["50%_done", "50 percent done", "a_b", "axb", "Report-Final", "report final", "back\\slash", "backslash", "ÉTÉ", "été"];

    private static readonly Dictionary<string, string[]> NameFilters = new()
    {
        ["%"] = ["50%_done"],
        ["_"] = ["50%_done", "a_b"],
        ["a_b"] = ["a_b"],
        ["0%_d"] = ["50%_done"],
        ["%_"] = ["50%_done"],
        ["\\"] = ["back\\slash"],
        ["k\\s"] = ["back\\slash"],
        ["REPORT"] = ["Report-Final", "report final"],
        ["rEpOrT-f"] = ["Report-Final"],
        ["done"] = ["50%_done", "50 percent done"],
        ["É"] = ["ÉTÉ"],        // only ASCII letters are folded, in both stores alike
        ["été"] = ["été"],
        ["x"] = ["axb"],
        ["nothing like it"] = [],
    };

    public static TheoryData<string> NameFilterCases() => new(NameFilters.Keys);

    [Theory]
    [MemberData(nameof(NameFilterCases))]
    public async Task List_ByName_MatchesTheTextAnywhere_IgnoringAsciiCase_AndWildcardsAsThemselves(string text)
    {
        var ids = new Dictionary<long, string>();
        foreach (var name in Names)
        {
            ids[(await SubmitAsync(ASpec().Name(name))).Id] = name;
        }

        var page = await Store.ListAsync(new JobQuery { NameContains = text }, Ct);

        Assert.Equal(NameFilters[text], page.Items.Select(j => ids[j.Id]));
        Assert.Equal(NameFilters[text].Length, page.Total);
    }

    [Fact]
    public async Task List_ByName_GoesWithTheOtherFilters_TheSortAndThePage()
    {
        var jobs = await SeedAsync();

        var page = await Store.ListAsync(new JobQuery
        {
            NameContains = "A",
            Owner = "alice",
            Sort = new JobSort(JobSortKey.Name, Descending: true),
            Limit = 1,
        }, Ct);

        // alice's "Alpha" (2) and "beta" (4); 6 ("50%_done") has no a.
        Assert.Equal(2, page.Total);
        Assert.Equal([jobs[3].Id], page.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task List_ByInteractive_ReadsTheFlagFromTheSpec_BothWays()
    {
        var batch = await Store.SubmitAsync(ASpec().Name("batch").Build(), "alice", Ct);
        var interactive = await Store.SubmitAsync(ASpec().Name("shell").Build() with { Interactive = true }, "alice", Ct);
        var othersInteractive = await Store.SubmitAsync(ASpec().Name("shell").Build() with { Interactive = true }, "bob", Ct);

        var alices = await Store.ListAsync(new JobQuery { Owner = "alice", Interactive = true, States = [JobState.Pending] }, Ct);
        var batchOnly = await Store.ListAsync(new JobQuery { Interactive = false }, Ct);

        Assert.Equal([interactive.Id], alices.Items.Select(j => j.Id));
        Assert.Equal(1, alices.Total);
        Assert.Contains(batch.Id, batchOnly.Items.Select(j => j.Id));
        Assert.DoesNotContain(batchOnly.Items, j => j.Id == interactive.Id || j.Id == othersInteractive.Id);
        Assert.True((await Store.GetAsync(interactive.Id, Ct))!.Spec.Interactive);
    }

    [Theory]
    [InlineData("50%", new[] { "50%_done" })]
    [InlineData("50", new[] { "50%_done", "50 percent done" })]
    [InlineData("report", new[] { "report final" })]
    [InlineData("Report", new[] { "Report-Final" })]
    [InlineData("%", new string[0])]
    [InlineData("É", new[] { "ÉTÉ" })]
    [InlineData("back\\", new[] { "back\\slash" })]
    public async Task List_ByNamePrefix_IsExact_CaseCounts_AndWildcardsAreThemselves(string prefix, string[] expected)
    {
        var ids = new Dictionary<long, string>();
        foreach (var name in Names)
        {
            ids[(await SubmitAsync(ASpec().Name(name))).Id] = name;
        }

        var page = await Store.ListAsync(new JobQuery { NamePrefix = prefix }, Ct);

        Assert.Equal(expected.Order(StringComparer.Ordinal), page.Items.Select(j => ids[j.Id]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_IdBelow_ResumesAKeysetPageNewestFirst_WhateverWasSubmittedSince()
    {
        var jobs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add((await SubmitAsync(ASpec())).Id);
        }
        var newestFirst = new JobSort(JobSortKey.Id, Descending: true);

        var first = await Store.ListAsync(new JobQuery { Sort = newestFirst, Limit = 2 }, Ct);
        await SubmitAsync(ASpec());
        var second = await Store.ListAsync(new JobQuery { Sort = newestFirst, Limit = 2, IdBelow = first.Items[^1].Id }, Ct);
        var last = await Store.ListAsync(new JobQuery { Sort = newestFirst, Limit = 2, IdBelow = second.Items[^1].Id }, Ct);

        Assert.Equal([jobs[4], jobs[3]], first.Items.Select(j => j.Id));
        Assert.Equal([jobs[2], jobs[1]], second.Items.Select(j => j.Id));
        Assert.Equal([jobs[0]], last.Items.Select(j => j.Id));
    }
}
