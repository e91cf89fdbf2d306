namespace GoDocker.Drmaa.Tests;

public sealed class JobTemplateTests
{
    private static DrmaaError Code(Action action) => Assert.Throws<DrmaaException>(action).Code;

    [Fact]
    public void Attributes_AreKeptAsSet_AndNullRemovesOne()
    {
        var template = new JobTemplate();
        template.Set(JobTemplate.RemoteCommand, "/bin/true");
        template.SetVector(JobTemplate.Argv, ["a", "b"]);

        Assert.Equal("/bin/true", template.Get(JobTemplate.RemoteCommand));
        Assert.Equal(["a", "b"], template.GetVector(JobTemplate.Argv)!);
        template.Set(JobTemplate.RemoteCommand, null);
        Assert.Null(template.Get(JobTemplate.RemoteCommand));
    }

    [Fact]
    public void UnknownNames_AreInvalidArguments_TheStandardsUnsupportedOnes_InvalidValues()
    {
        var template = new JobTemplate();

        Assert.Equal(DrmaaError.InvalidArgument, Code(() => template.Set("drmaa_bogus", "x")));
        Assert.Equal(DrmaaError.InvalidArgument, Code(() => template.Set(JobTemplate.Argv, "x")));
        Assert.Equal(DrmaaError.InvalidArgument, Code(() => template.SetVector(JobTemplate.RemoteCommand, ["x"])));
        Assert.Equal(DrmaaError.InvalidAttributeValue, Code(() => template.Set("drmaa_start_time", "12:00")));
        Assert.DoesNotContain("drmaa_start_time", JobTemplate.ScalarNames);
    }

    [Theory]
    [InlineData(JobTemplate.JobSubmissionState, "drmaa_later")]
    [InlineData(JobTemplate.JoinFiles, "yes")]
    [InlineData(JobTemplate.BlockEmail, "true")]
    [InlineData(JobTemplate.WallClockHardLimit, "0")]
    public void BadValues_AreRefusedWhenSet(string name, string value) =>
        Assert.Equal(DrmaaError.InvalidAttributeValue, Code(() => new JobTemplate().Set(name, value)));

    [Fact]
    public void Environment_MustBeNameEqualsValue() =>
        Assert.Equal(DrmaaError.InvalidAttributeFormat, Code(() => new JobTemplate().SetVector(JobTemplate.Environment, ["A=1", "=2"])));

    [Theory]
    [InlineData("45", 45)]
    [InlineData("1:30", 90)]
    [InlineData("2:00:00", 7200)]
    [InlineData("100:0:0", 360000)]
    public void WallClock_IsHoursMinutesSeconds(string value, long seconds) =>
        Assert.Equal(seconds, JobTemplate.WallClockSeconds(value));

    [Theory]
    [InlineData("")]
    [InlineData("1:x")]
    [InlineData("1:2:3:4")]
    [InlineData("-5")]
    public void WallClock_OtherwiseIsAFormatError(string value) =>
        Assert.Equal(DrmaaError.InvalidAttributeFormat, Code(() => JobTemplate.WallClockSeconds(value)));

    [Theory]
    [InlineData(":/shared/out", "/shared/out")]
    [InlineData("node1:/shared/out", "/shared/out")]
    [InlineData("/shared/out", "/shared/out")]
    [InlineData(":relative.txt", "relative.txt")]
    public void Paths_DropTheHost(string value, string path) =>
        Assert.Equal(path, JobTemplate.FilePath(JobTemplate.OutputPath, value));

    [Fact]
    public void Paths_WithNoFile_AreFormatErrors() =>
        Assert.Equal(DrmaaError.InvalidAttributeFormat, Code(() => new JobTemplate().Set(JobTemplate.OutputPath, "host:")));
}
