using GoDocker.Cli.Commands;
using GoDocker.Cli.Output;
using GoDocker.Cli.Tests.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Commands;

public class JobControlCommandTests
{
    [Theory]
    [InlineData("hold")]
    [InlineData("release")]
    [InlineData("suspend")]
    [InlineData("resume")]
    [InlineData("requeue")]
    public void ControlCommands_TakeSeveralJobIds(string command)
    {
        var parse = GoDockerCommandLine.Build().Parse([command, "3", "4", "5"], GoDockerCommandLine.Parsing);

        Assert.Empty(parse.Errors);
        Assert.Equal(command, parse.CommandResult.Command.Name);
    }

    [Theory]
    [InlineData("hold")]
    [InlineData("requeue")]
    public void ControlCommands_NeedAJobId(string command)
    {
        Assert.NotEmpty(GoDockerCommandLine.Build().Parse([command], GoDockerCommandLine.Parsing).Errors);
        Assert.NotEmpty(GoDockerCommandLine.Build().Parse([command, "x"], GoDockerCommandLine.Parsing).Errors);
    }

    [Fact]
    public void Line_SaysTheStateAndAHold()
    {
        Assert.Equal("7 Pending, held by user", JobControlCommand.Line(JobViews.Pending() with { HeldBy = "user" }));
        Assert.Equal("7 Suspended", JobControlCommand.Line(JobViews.Pending() with { State = JobState.Suspended }));
    }

    [Fact]
    public void Line_SaysAStopOnItsWay()
    {
        var job = JobViews.Pending() with { State = JobState.Running, StopRequested = "requeued by alice" };

        Assert.Equal("7 Running, stopping: requeued by alice", JobControlCommand.Line(job));
    }

    [Fact]
    public void Refusal_AmongSeveralIds_NamesTheJob()
    {
        var problem = ProblemReport.ForJob(new Problem { Title = "Conflict", Status = 409, Detail = "only a pending job can be held" }, 12);

        Assert.Equal("godocker: Conflict: job 12: only a pending job can be held\n", ProblemReport.Format(problem));
    }

    [Fact]
    public void Refusal_ThatAlreadyNamesTheJob_IsLeftAsItIs()
    {
        var problem = new Problem { Title = "No such job", Status = 404, Detail = "job 12 does not exist" };

        Assert.Same(problem, ProblemReport.ForJob(problem, 12));
        Assert.Equal("job 1: job 12 does not exist", ProblemReport.ForJob(problem, 1).Detail);
    }

    [Fact]
    public void Kill_TakesIdsOrAnArray_ButNotNothing()
    {
        Assert.Empty(GoDockerCommandLine.Build().Parse(["kill", "3", "4"], GoDockerCommandLine.Parsing).Errors);
        Assert.Empty(GoDockerCommandLine.Build().Parse(["kill", "--array", "12"], GoDockerCommandLine.Parsing).Errors);
        var none = GoDockerCommandLine.Build().Parse(["kill"], GoDockerCommandLine.Parsing);
        Assert.Contains(none.Errors, e => e.Message.Contains("--array", StringComparison.Ordinal));
    }

    [Fact]
    public void Kill_ArrayIdMustBeAnId()
    {
        var parse = GoDockerCommandLine.Build().Parse(["kill", "--array", "x"], GoDockerCommandLine.Parsing);

        Assert.Contains(parse.Errors, e => e.Message == "'x' is not an array id");
    }
}
