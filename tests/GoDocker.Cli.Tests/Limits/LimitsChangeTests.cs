using GoDocker.Cli.Limits;
using GoDocker.Contracts;

namespace GoDocker.Cli.Tests.Limits;

public class LimitsChangeTests
{
    private static readonly AccountLimitsView Current = new()
    {
        Kind = "user",
        Name = "alice",
        Shares = 2,
        Priority = 10,
        MaxRunningJobs = 3,
        MaxCpus = 8,
        MaxMemory = "1.5 GiB",
        MaxMemoryBytes = 1610612736,
        MaxGpus = 1,
        MaxCpuHours = 500,
        MaxPendingJobs = 100,
    };

    [Fact]
    public void Apply_ChangesWhatIsNamed_AndKeepsEverythingElse()
    {
        var request = new LimitsChange { MaxCpus = new Setting<double>(4) }.ApplyTo(Current);

        Assert.Equal(new AccountLimitsView
        {
            Shares = 2,
            Priority = 10,
            MaxRunningJobs = 3,
            MaxCpus = 4,
            MaxMemory = "1610612736B",
            MaxGpus = 1,
            MaxCpuHours = 500,
            MaxPendingJobs = 100,
        }, request);
    }

    [Fact]
    public void Apply_None_RemovesThatSettingOnly()
    {
        var request = new LimitsChange { MaxRunningJobs = new Setting<int>(null), MaxMemoryBytes = new Setting<long>(null) }.ApplyTo(Current);

        Assert.Null(request.MaxRunningJobs);
        Assert.Null(request.MaxMemory);
        Assert.Equal(8, request.MaxCpus);
    }

    [Fact]
    public void Apply_Clear_StartsFromNothing()
    {
        var request = new LimitsChange { Clear = true, MaxGpus = new Setting<int>(2) }.ApplyTo(Current);

        Assert.Equal(new AccountLimitsView { MaxGpus = 2 }, request);
    }

    [Fact]
    public void Apply_ToAnAccountWithNothingSet_SendsOnlyTheChange()
    {
        var request = new LimitsChange { MaxMemoryBytes = new Setting<long>(64L << 30), Priority = new Setting<int>(-5) }.ApplyTo(null);

        Assert.Equal(new AccountLimitsView { MaxMemory = "68719476736B", Priority = -5 }, request);
    }

    [Fact]
    public void Apply_MemoryGivenOnlyAsText_IsKept()
    {
        var request = new LimitsChange { Shares = new Setting<double>(1) }.ApplyTo(new AccountLimitsView { MaxMemory = "2G" });

        Assert.Equal("2147483648B", request.MaxMemory);
    }

    [Fact]
    public void IsEmpty_OnlyWhenNothingIsNamed()
    {
        Assert.True(new LimitsChange().IsEmpty);
        Assert.False(new LimitsChange { Clear = true }.IsEmpty);
        Assert.False(new LimitsChange { Shares = new Setting<double>(null) }.IsEmpty);
    }

    [Theory]
    [InlineData("--max-jobs", "none")]
    [InlineData("--max-jobs", "-1")]
    [InlineData("--max-memory", "NONE")]
    public void Options_NoneOrMinusOne_RemoveTheSetting(string option, string value)
    {
        var parse = GoDockerCommandLine.Build().Parse(["quota", "set", "--user", "a", option, value], GoDockerCommandLine.Parsing);

        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void Priority_MinusOne_IsAPriority_NotARemoval()
    {
        var option = LimitArguments.SignedCount("--priority", "p");
        var parse = new System.CommandLine.RootCommand { option }.Parse(["--priority", "-1"]);

        Assert.Equal(new Setting<int>(-1), parse.GetValue(option));
    }

    [Fact]
    public void Size_IsReadAsBytes()
    {
        var option = LimitArguments.Size("--max-memory", "m");
        var parse = new System.CommandLine.RootCommand { option }.Parse(["--max-memory", "64G"]);

        Assert.Equal(new Setting<long>(64L << 30), parse.GetValue(option));
    }
}
