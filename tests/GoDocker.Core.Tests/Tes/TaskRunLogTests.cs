using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GoDocker.Tes;

namespace GoDocker.Core.Tests.Tes;

public sealed class TaskRunLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_ReadsEveryRecordTheRunnerWrites()
    {
        var log = TaskRunLog.Parse(
            "exec\t0\tstart\t2026-12-04T14:00:00Z\n" +
            "exec\t0\tend\t2026-12-04T14:00:05Z\t0\n" +
            "exec\t1\tstart\t2026-12-04T14:00:05Z\n" +
            "exec\t1\tend\t2026-12-04T14:01:00Z\t137\n" +
            "output\t/out/a b.txt\tfile:///vol/a b.txt\t12345678901\n" +
            "system_error\toutput 1: /out/x does not exist\n");

        Assert.Equal(
            [new TaskRunStep(0, T0, T0.AddSeconds(5), 0), new TaskRunStep(1, T0.AddSeconds(5), T0.AddMinutes(1), 137)],
            log.Steps);
        Assert.Equal([new TaskRunOutput("file:///vol/a b.txt", "/out/a b.txt", 12345678901)], log.Outputs);
        Assert.Equal(["output 1: /out/x does not exist"], log.SystemErrors);
        Assert.False(log.Truncated);
    }

    [Fact]
    public void AStepStillRunning_HasNoEnd_AndEmptyTimesAreNone()
    {
        var log = TaskRunLog.Parse("exec\t0\tstart\t\nexec\t0\tend\t\t2\nexec\t1\tstart\t2026-12-04T14:00:00Z\n");

        Assert.Equal([new TaskRunStep(0, null, null, 2), new TaskRunStep(1, T0, null, null)], log.Steps);
    }

    [Fact]
    public void StepsAreOrderedByIndex_AndALaterRecordWins()
    {
        var log = TaskRunLog.Parse("exec\t2\tstart\t\nexec\t0\tend\t\t1\nexec\t0\tend\t\t3\n");

        Assert.Equal([new TaskRunStep(0, null, null, 3), new TaskRunStep(2, null, null, null)], log.Steps);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\n")]
    [InlineData("garbage\n")]
    [InlineData("exec\n")]
    [InlineData("exec\t0\n")]
    [InlineData("exec\tx\tstart\t\n")]
    [InlineData("exec\t-1\tstart\t\n")]
    [InlineData("exec\t 1\tstart\t\n")]
    [InlineData("exec\t99999999999\tstart\t\n")]
    [InlineData("exec\t0\tbegin\t\n")]
    [InlineData("exec\t0\tstart\t\textra\n")]
    [InlineData("exec\t0\tend\t\n")]
    [InlineData("exec\t0\tend\t\t256\n")]
    [InlineData("exec\t0\tend\t\t-1\n")]
    [InlineData("exec\t0\tend\t\tone\n")]
    [InlineData("exec\t0\tend\t\t1\tmore\n")]
    [InlineData("EXEC\t0\tstart\t\n")]
    [InlineData(" exec\t0\tstart\t\n")]
    [InlineData("exec 0 start 2026-12-04T14:00:00Z\n")]
    [InlineData("output\t/a\tfile:///a\n")]
    [InlineData("output\t/a\tfile:///a\t-1\n")]
    [InlineData("output\t/a\tfile:///a\t1e3\n")]
    [InlineData("output\t/a\tfile:///a\t99999999999999999999\n")]
    [InlineData("output\t\tfile:///a\t1\n")]
    [InlineData("output\t/a\t\t1\n")]
    [InlineData("output\t/a\tb\tfile:///a\t1\n")]
    [InlineData("system_error\n")]
    [InlineData("\0\u2603\ud800\n")]
    public void GarbledLines_AreSkipped(string text)
    {
        var log = TaskRunLog.Parse("exec\t5\tstart\t\n" + text + "output\t/ok\tfile:///ok\t1\n");

        Assert.Equal([new TaskRunStep(5, null, null, null)], log.Steps);
        Assert.Equal([new TaskRunOutput("file:///ok", "/ok", 1)], log.Outputs);
        Assert.Empty(log.SystemErrors);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-12-04 14:00:00")]
    [InlineData("2026-12-04T14:00:00+01:00")]
    [InlineData("2026-13-04T14:00:00Z")]
    public void ATimeThatIsNotDatesUtcFormat_IsNone_TheExitCodeStillCounts(string time)
    {
        var log = TaskRunLog.Parse($"exec\t0\tend\t{time}\t4\n");

        Assert.Equal([new TaskRunStep(0, null, null, 4)], log.Steps);
    }

    [Fact]
    public void ALastLineWithoutItsNewline_IsACutRecord_AndDoesNotCount()
    {
        // "137" cut to "1" would otherwise tell a wrong exit code.
        var log = TaskRunLog.Parse("exec\t0\tstart\t\nexec\t0\tend\t\t1");

        Assert.Equal([new TaskRunStep(0, null, null, null)], log.Steps);
    }

    [Fact]
    public void ASystemErrorMessage_KeepsItsTabs_AndIsBounded()
    {
        var longMessage = new string('x', TaskRunLog.MaxSystemErrorLength - 1) + "\u2603\u2603";
        var surrogates = new string('y', TaskRunLog.MaxSystemErrorLength - 1) + "\U0001F600";
        var log = TaskRunLog.Parse($"system_error\ta\tb\nsystem_error\t{longMessage}\nsystem_error\t{surrogates}\nsystem_error\t\n");

        Assert.Equal(["a\tb", longMessage[..TaskRunLog.MaxSystemErrorLength], surrogates[..^2], ""], log.SystemErrors);
    }

    [Fact]
    public void AtMostAHundredSystemErrors_AreKept()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => $"system_error\te{i}\n"));

        var log = TaskRunLog.Parse(text);

        Assert.Equal(TaskRunLog.MaxSystemErrors, log.SystemErrors.Count);
        Assert.Equal("e99", log.SystemErrors[^1]);
    }

    [Fact]
    public void AHugeFile_IsReadOnlyToItsBound_AndSaysSo()
    {
        var line = "output\t/out/f\tfile:///vol/f\t1\n";
        var lines = TaskRunLog.MaxChars / line.Length + 1000;
        var text = "exec\t0\tstart\t\n" + string.Concat(Enumerable.Repeat(line, lines)) + "exec\t0\tend\t\t0\n";

        var log = TaskRunLog.Parse(text);

        Assert.True(log.Truncated);
        Assert.Equal((TaskRunLog.MaxChars - "exec\t0\tstart\t\n".Length) / line.Length, log.Outputs.Count);
        Assert.Null(Assert.Single(log.Steps).ExitCode);
    }

    [Fact]
    public async Task ReadAsync_ReadsAStreamToTheSameBound()
    {
        var line = "output\t/out/\u00e9\tfile:///vol/\u00e9\t1\n";
        var text = "exec\t0\tend\t\t9\n" + string.Concat(Enumerable.Repeat(line, TaskRunLog.MaxChars / line.Length * 2));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var log = await TaskRunLog.ReadAsync(stream, CancellationToken.None);

        Assert.True(log.Truncated);
        Assert.Equal(9, Assert.Single(log.Steps).ExitCode);
        Assert.Equal((TaskRunLog.MaxChars - "exec\t0\tend\t\t9\n".Length) / Encoding.UTF8.GetByteCount(line), log.Outputs.Count);
        Assert.All(log.Outputs, o => Assert.Equal("/out/\u00e9", o.Path));

        using var small = new MemoryStream(Encoding.UTF8.GetBytes("exec\t0\tend\t\t9\n"));
        Assert.False((await TaskRunLog.ReadAsync(small, CancellationToken.None)).Truncated);
    }

    [Fact]
    public void TheLog_RoundTripsThroughSourceGeneratedJson()
    {
        var log = TaskRunLog.Parse("exec\t0\tstart\t2026-12-04T14:00:00Z\nexec\t0\tend\t\t3\nexec\t1\tstart\t\noutput\t/o\tfile:///o\t7\nsystem_error\tm\n");

        var json = JsonSerializer.Serialize(log, TaskRunLogJson.Default.TaskRunLog);
        var back = JsonSerializer.Deserialize(json, TaskRunLogJson.Default.TaskRunLog)!;

        Assert.Equal(log.Steps, back.Steps);
        Assert.Equal(log.Outputs, back.Outputs);
        Assert.Equal(log.SystemErrors, back.SystemErrors);
        Assert.Equal(log.Truncated, back.Truncated);
    }
}

/// <summary>The options GoDockerJson uses, where the lead registers TaskRunLog for <c>jobs.task_log</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskRunLog))]
internal sealed partial class TaskRunLogJson : JsonSerializerContext;
