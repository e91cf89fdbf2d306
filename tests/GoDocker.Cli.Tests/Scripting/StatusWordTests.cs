using System.Text.Json;
using GoDocker.Cli.Commands;
using GoDocker.Cli.Scripting;
using GoDocker.Cli.Tests.Output;
using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Scripting;

public class StatusWordTests
{
    [Theory]
    [InlineData(JobState.Pending, "running")]
    [InlineData(JobState.Scheduled, "running")]
    [InlineData(JobState.Running, "running")]
    [InlineData(JobState.Suspended, "running")]
    [InlineData(JobState.Succeeded, "success")]
    [InlineData(JobState.Failed, "failed")]
    [InlineData(JobState.Killed, "failed")]
    [InlineData(JobState.Rejected, "failed")]
    public void EveryState_HasItsWord(JobState state, string word)
    {
        Assert.Equal(word, StatusWord.Of(JobViews.Pending() with { State = state }));
    }

    [Fact]
    public void EveryState_IsMapped_ToOneOfTheThreeWords()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.Contains(StatusWord.Of(JobViews.Pending() with { State = state }), new[] { "running", "success", "failed" });
        }
    }

    [Fact]
    public void Archived_IsSuccess_OnlyWhenItsCommandExitedZero()
    {
        var archived = JobViews.Pending() with { State = JobState.Archived };

        Assert.Equal("success", StatusWord.Of(archived with { ExitCode = 0, EndCause = EndCause.Exited }));
        Assert.Equal("failed", StatusWord.Of(archived with { ExitCode = 3, EndCause = EndCause.Exited }));
        Assert.Equal("failed", StatusWord.Of(archived with { ExitCode = 0, EndCause = EndCause.StopRequested }));
        Assert.Equal("failed", StatusWord.Of(archived with { ExitCode = null }));
    }

    [Fact]
    public void Json_GivesIdStateWordExitCodeAndEndCause()
    {
        var oom = JobViews.Pending(12) with { State = JobState.Failed, ExitCode = 137, EndCause = EndCause.OutOfMemory };

        using var json = JsonDocument.Parse(StatusCommand.Json([oom, JobViews.Pending(13)]));

        var first = json.RootElement[0];
        Assert.Equal(12, first.GetProperty("id").GetInt64());
        Assert.Equal("Failed", first.GetProperty("state").GetString());
        Assert.Equal("failed", first.GetProperty("status").GetString());
        Assert.Equal(137, first.GetProperty("exitCode").GetInt32());
        Assert.Equal("OutOfMemory", first.GetProperty("endCause").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement[1].GetProperty("exitCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement[1].GetProperty("endCause").ValueKind);
    }

    [Fact]
    public void Status_NeedsIds()
    {
        Assert.NotEmpty(GoDockerCommandLine.Build().Parse(["status"], GoDockerCommandLine.Parsing).Errors);
        Assert.Empty(GoDockerCommandLine.Build().Parse(["status", "1", "2", "-o", "json"], GoDockerCommandLine.Parsing).Errors);
    }
}
