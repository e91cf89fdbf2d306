using System.Text.Json;
using GoDocker.Cli.Api;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.Usage;

namespace GoDocker.Cli.Tests.Output;

/// <summary>`godocker history`: its columns (--format), the table, csv and json, its times and its query.</summary>
public class HistoryOutputTests
{
    private static readonly DateTimeOffset Ended = new(2026, 12, 3, 10, 0, 30, TimeSpan.Zero);

    private static AccountingView Record(long id = 12, string name = "sim") => new()
    {
        JobId = id, Name = name, Owner = "alice", Project = "astro", Attempt = 1, State = AccountedState.Failed, EndCause = EndCause.Exited,
        Reason = "exit code 3", ExitCode = 3, Node = "n1", SubmittedAt = Ended.AddMinutes(-5), StartedAt = Ended.AddSeconds(-90061),
        EndedAt = Ended, ElapsedSeconds = 90061, Cpus = 2, MemoryBytes = 4L << 30,
        CpuSeconds = 3725.4, AverageCpus = 0.0413, MaxRssBytes = 210L << 20, MaxPids = 9, ReadBytes = 1536, WriteBytes = 0, Samples = 12,
    };

    private static AccountingView Unmeasured(long id = 13) => Record(id, "prep") with
    {
        State = AccountedState.Killed, EndCause = EndCause.StopRequested, Reason = "killed by alice", ExitCode = null, Node = null, StartedAt = null,
        ElapsedSeconds = 0, CpuSeconds = null, AverageCpus = null, MaxRssBytes = null, MaxPids = null, ReadBytes = null, WriteBytes = null, Samples = null,
    };

    [Fact]
    public void DefaultColumns_AreSacctsDefault()
    {
        var text = HistoryColumns.Table([Record(), Unmeasured()], HistoryColumns.Parse(HistoryColumns.Default));

        Assert.Equal(
            """
            JobID  JobName  User   Project  AllocCPUS  State   ExitCode
               12  sim      alice  astro            2  Failed         3
               13  prep     alice  astro            2  Killed         -

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Table_ShowsSizesAndDurationsForPeople_AndNothingMeasuredAsADash()
    {
        var columns = HistoryColumns.Parse("jobid,Elapsed,TOTALCPU,AveCPU,MaxRSS,ReadBytes,WriteBytes,MaxPids,ReqMem,End,Start");

        var lines = HistoryColumns.Table([Record(), Unmeasured()], columns, TimeZoneInfo.Utc).TrimEnd('\n').Split('\n');

        Assert.Equal("JobID     Elapsed  TotalCPU  AveCPU   MaxRSS  ReadBytes  WriteBytes  MaxPids  ReqMem  End                  Start", lines[0]);
        Assert.Equal("   12  1-01:01:01  01:02:05    0.04  210 MiB    1.5 KiB         0 B        9   4 GiB  2026-12-03 10:00:30  2026-12-02 08:59:29", lines[1]);
        Assert.Equal("   13    00:00:00         -       -        -          -           -        -   4 GiB  2026-12-03 10:00:30  -", lines[2]);
    }

    [Fact]
    public void Csv_HasRawNumbers_IsoTimes_EmptyForNothing_AndQuotesWhatNeedsIt()
    {
        var columns = HistoryColumns.Parse("JobID,JobName,Reason,Elapsed,TotalCPU,MaxRSS,ReqMem,Start,End");
        var odd = Unmeasured() with { Name = "a,b \"c\"", Reason = "line1\nline2" };

        var csv = HistoryColumns.Csv([Record(), odd], columns);

        Assert.Equal(
            "JobID,JobName,Reason,Elapsed,TotalCPU,MaxRSS,ReqMem,Start,End\r\n"
            + "12,sim,exit code 3,90061,3725.4,220200960,4294967296,2026-12-02T08:59:29.000Z,2026-12-03T10:00:30.000Z\r\n"
            + "13,\"a,b \"\"c\"\"\",\"line1\nline2\",0,,,4294967296,,2026-12-03T10:00:30.000Z\r\n",
            csv);
    }

    [Theory]
    [InlineData("Account,NodeList,MaxDiskRead", "Project,Node,ReadBytes")]
    [InlineData(" state , exitcode ", "State,ExitCode")]
    public void Format_IsCaseInsensitive_AndKnowsSacctsOtherNames(string format, string expected)
    {
        Assert.Equal(expected.Split(','), HistoryColumns.Parse(format).Select(c => c.Name));
    }

    [Fact]
    public void Format_WithAnUnknownColumn_IsAUsageError_NamingIt()
    {
        var parse = GoDockerCommandLine.Build().Parse(["history", "--format", "JobID,Bogus"], GoDockerCommandLine.Parsing);

        var error = Assert.Single(parse.Errors);
        Assert.Contains("'Bogus' is not a column", error.Message);
    }

    [Theory]
    [InlineData("-s", "requeued,FAILED", "")]
    [InlineData("-S", "now-7days", "")]
    [InlineData("-j", "3,4", "")]
    [InlineData("-s", "pending", "'pending' is not an accounted state")]
    [InlineData("-S", "yesterday", "'yesterday' is not a time")]
    [InlineData("-E", "now-3fortnights", "'fortnights' is not a unit")]
    [InlineData("-j", "x", "'x' is not a job id")]
    public void Options_AreCheckedWhenParsed(string option, string value, string error)
    {
        var parse = GoDockerCommandLine.Build().Parse(["history", option, value], GoDockerCommandLine.Parsing);

        if (error == "")
        {
            Assert.Empty(parse.Errors);
        }
        else
        {
            Assert.Contains(error, Assert.Single(parse.Errors).Message);
        }
    }

    [Fact]
    public void Json_IsTheApisShape_WithRawNumbers()
    {
        var json = JsonSerializer.Serialize(new AccountingList([Record()], 1, 0, 1), GoDockerJson.Default.AccountingList);

        using var document = JsonDocument.Parse(json);
        var item = document.RootElement.GetProperty("items")[0];
        Assert.Equal(90061, item.GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(210L << 20, item.GetProperty("maxRssBytes").GetInt64());
        Assert.Equal("Failed", item.GetProperty("state").GetString());
        Assert.Equal("Exited", item.GetProperty("endCause").GetString());
        Assert.False(JsonDocument.Parse(JsonSerializer.Serialize(Unmeasured(), GoDockerJson.Default.AccountingView)).RootElement.TryGetProperty("maxRssBytes", out _));
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 3, 15, 30, 0, TimeSpan.Zero);

    public static TheoryData<string, DateTimeOffset> Times() => new()
    {
        { "2026-12-01", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) },
        { "2026-12-01T08:15", new DateTimeOffset(2026, 12, 1, 8, 15, 0, TimeSpan.Zero) },
        { "2026-12-01T08:15:30+02:00", new DateTimeOffset(2026, 12, 1, 8, 15, 30, TimeSpan.FromHours(2)) },
        { "2026-12-01T08:15:30Z", new DateTimeOffset(2026, 12, 1, 8, 15, 30, TimeSpan.Zero) },
        { "now", Now },
        { "now-7days", Now.AddDays(-7) },
        { "now-2hours", Now.AddHours(-2) },
        { "now+30", Now.AddSeconds(30) },
        { "now-1week", Now.AddDays(-7) },
        { "today", new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero) },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void Times_ReadAsSacctReadsThem(string text, DateTimeOffset expected)
    {
        Assert.Equal(expected, HistoryCommand.ParseTime(text, Now, TimeZoneInfo.Utc));
    }

    [Fact]
    public void ATimeWithoutOffset_IsInTheGivenZone()
    {
        var paris = TimeZoneInfo.CreateCustomTimeZone("UTC+1", TimeSpan.FromHours(1), "UTC+1", "UTC+1");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero), HistoryCommand.ParseTime("2026-12-01T08:00", Now, paris).ToUniversalTime());
    }

    [Fact]
    public void Query_NamesEveryFilter_TimesInUtc()
    {
        var query = new HistoryQuery
        {
            User = "a b", Project = "astro", States = [AccountedState.Failed, AccountedState.Requeued], Jobs = [3, 4],
            Since = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(1)), Until = Now, Limit = 1000,
        };

        Assert.Equal("?user=a%20b&project=astro&state=Failed&state=Requeued&job=3,4&since=2026-12-01T07%3A00%3A00.000Z"
            + "&until=2026-12-03T15%3A30%3A00.000Z&limit=1000", query.ToQueryString());
    }
}
