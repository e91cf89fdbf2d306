using GoDocker.Access;
using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

/// <summary>--stdout/--stderr paths: Slurm's patterns expanded as the launch does, and the volume that must hold them.</summary>
public sealed class OutputPathTests
{
    [Theory]
    [InlineData("/data/%j.out", "/data/1234.out")]
    [InlineData("/data/%x-%u.out", "/data/align-alice.out")]
    [InlineData("/data/%A_%a.out", "/data/1200_7.out")]
    [InlineData("/data/%8j.out", "/data/00001234.out")]
    [InlineData("/data/%3a/%2A", "/data/007/1200")]
    [InlineData("/data/100%%-%j", "/data/100%-1234")]
    [InlineData("/data/%%j", "/data/%j")]
    [InlineData("/data/plain.out", "/data/plain.out")]
    public void Expand_ReplacesSlurmsPatterns_ForAnArrayTask(string pattern, string expanded) =>
        Assert.Equal(expanded, OutputPath.Expand(pattern, 1234, "align", "alice", arrayId: 1200, taskId: 7));

    [Fact]
    public void Expand_ForAJobThatIsNoArray_TakesItsOwnIdForTheArrayId() =>
        Assert.Equal("/data/55-55.out", OutputPath.Expand("/data/%j-%A.out", 55, "x", "alice", arrayId: null, taskId: null));

    [Theory]
    [InlineData("a/b", "/data/a_b.out")]
    [InlineData("..", "/data/__.out")]
    [InlineData(".", "/data/_.out")]
    [InlineData("it's $(x)", "/data/it's $(x).out")]
    public void Expand_ANameNeverAddsOrLeavesAFolder_AndIsOtherwiseKept(string name, string expanded) =>
        Assert.Equal(expanded, OutputPath.Expand("/data/%x.out", 1, name, "alice", null, null));

    private static readonly Mount Data = new("data", "/srv/data", "/data", ReadOnly: false);
    private static readonly Mount Refs = new("refs", "/srv/refs", "/data/refs", ReadOnly: true);
    private static readonly Mount Scratch = new("scratch", "/srv/scratch", "/scratch/", ReadOnly: false);

    [Theory]
    [InlineData("/data/x.out")]
    [InlineData("/data/out/%j.out")]
    [InlineData("/data/refsx/a.out")]
    [InlineData("/scratch/a.out")]
    public void RefuseOutside_AcceptsAFileInAWritableVolume(string path) =>
        Assert.Null(OutputPath.RefuseOutside(path, [Data, Refs, Scratch]));

    [Fact]
    public void RefuseOutside_RefusesAReadOnlyVolume_EvenInsideAWritableOne()
    {
        var refusal = OutputPath.RefuseOutside("/data/refs/x.out", [Data, Refs]);

        Assert.Equal("'/data/refs/x.out' is in volume 'refs' (/data/refs), which this job mounts read-only (a :ro request, a read-only volume, or a root job)", refusal);
    }

    [Theory]
    [InlineData("/etc/x.out")]
    [InlineData("/data")]
    [InlineData("/datax/y.out")]
    [InlineData("/scratch")]
    public void RefuseOutside_RefusesAPathNotStrictlyInsideAVolume_NamingTheMounts(string path)
    {
        var refusal = OutputPath.RefuseOutside(path, [Data, Scratch]);

        Assert.Equal($"'{path}' is not inside a volume the job mounts: the job mounts data at /data, scratch at /scratch/", refusal);
    }

    [Fact]
    public void RefuseOutside_WithoutVolumes_SaysHowToMountOne() =>
        Assert.Equal("'/data/x' is not inside a volume the job mounts: the job mounts no volume (--volume NAME)", OutputPath.RefuseOutside("/data/x", []));

    [Theory]
    [InlineData("/data/%j.out")]
    [InlineData("/data/%x_%u_%A_%a.%10j")]
    [InlineData("/data/with space/it's \"$(quoted)\" `x`.out")]
    [InlineData("/data/100%%.out")]
    [InlineData("/data/...")]
    public void Refuse_AcceptsAnAbsoluteNormalizedPath_WithSlurmsPatterns(string path) =>
        Assert.Null(OutputPath.Refuse(path, array: true));

    [Fact]
    public void Refuse_NamesTheUnknownPattern_AndTheKnownOnes() =>
        Assert.Equal(
            "'%N' is not a pattern here: %j job id, %x job name, %u user, %A array id, %a task id, %% a percent sign",
            OutputPath.Refuse("/data/%N.out", array: false));
}
