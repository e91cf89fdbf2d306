using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class DependencyTests
{
    [Fact]
    public void TryParseList_ReadsSeveralTypes_EachWithSeveralJobs()
    {
        Assert.True(Dependency.TryParseList("afterok:12:13,afterany:20", out var list, out var error));

        Assert.Null(error);
        Assert.Equal(
            [new Dependency(DependencyKind.AfterOk, 12), new Dependency(DependencyKind.AfterOk, 13), new Dependency(DependencyKind.AfterAny, 20)],
            list);
    }

    [Theory]
    [InlineData("afternotok:5", DependencyKind.AfterNotOk, 5)]
    [InlineData("AfterNotOK:5", DependencyKind.AfterNotOk, 5)]
    [InlineData("AFTERANY:9000000000", DependencyKind.AfterAny, 9_000_000_000)]
    [InlineData(" afterok : 7 ", DependencyKind.AfterOk, 7)]
    public void TryParseList_IgnoresCaseAndSpaces(string text, DependencyKind kind, long id)
    {
        Assert.True(Dependency.TryParseList(text, out var list, out _));

        Assert.Equal(new Dependency(kind, id), Assert.Single(list));
    }

    [Theory]
    [InlineData("", "'' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok")]
    [InlineData("afterok", "'afterok' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok")]
    [InlineData("after:1", "'after:1' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok")]
    [InlineData("singleton:1", "'singleton:1' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok")]
    [InlineData("afterok:1,", "'' is not TYPE:JOBID[:JOBID...] with TYPE afterok, afterany or afternotok")]
    [InlineData("afterok:", "'' in 'afterok:' is not a job id")]
    [InlineData("afterok:x", "'x' in 'afterok:x' is not a job id")]
    [InlineData("afterok:0", "'0' in 'afterok:0' is not a job id")]
    [InlineData("afterok:-1", "'-1' in 'afterok:-1' is not a job id")]
    [InlineData("afterok:+1", "'+1' in 'afterok:+1' is not a job id")]
    [InlineData("afterok:1.5", "'1.5' in 'afterok:1.5' is not a job id")]
    [InlineData("afterok:1:2:,afterany:3", "'' in 'afterok:1:2:' is not a job id")]
    public void TryParseList_RefusesAnythingElse_SayingWhy(string text, string expected)
    {
        Assert.False(Dependency.TryParseList(text, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(DependencyKind.AfterOk, "afterok:42")]
    [InlineData(DependencyKind.AfterAny, "afterany:42")]
    [InlineData(DependencyKind.AfterNotOk, "afternotok:42")]
    public void ToString_IsWhatTryParseListReads(DependencyKind kind, string text)
    {
        var dependency = new Dependency(kind, 42);

        Assert.Equal(text, dependency.ToString());
        Assert.True(Dependency.TryParseList(dependency.ToString(), out var again, out _));
        Assert.Equal(dependency, Assert.Single(again));
    }
}
