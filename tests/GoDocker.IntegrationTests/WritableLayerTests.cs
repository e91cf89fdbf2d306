using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A container's writable layer lives on the engine's disk: a job filling it fills the host. By default the root
/// filesystem is read-only and /tmp, /var/tmp are size-limited tmpfs; the job directory stays writable.
/// </summary>
public sealed class WritableLayerTests(WritableLayerTests.Fixture fixture) : IClassFixture<WritableLayerTests.Fixture>
{
    public sealed class Fixture : ServerFixture
    {
        protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
        {
            ["Jobs:TmpSize"] = "16M",
            ["Jobs:Root:Granted:Everyone"] = "true",
        };
    }

    private GoDockerApi Api => fixture.Api;

    [Fact]
    public async Task ARootJobWriting100MBToTheRootFilesystem_IsRefused()
    {
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = "dd if=/dev/zero of=/filler bs=1M count=100 2>/dev/null && echo WROTE || echo REFUSED; ls -l /filler 2>/dev/null | wc -l",
            Root = true,
            Memory = "256M",
        });
        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("REFUSED\n0\n", await Api.StdoutAsync(job.Id));
    }

    [Theory]
    [InlineData("/tmp")]
    [InlineData("/var/tmp")]
    public async Task WritingBeyondTheTmpSize_FailsWithNoSpace(string folder)
    {
        var job = await Api.SubmitAsync(new JobSpec
        {
            Script = $"dd if=/dev/zero of={folder}/filler bs=1M count=100 2>&1 | grep -c 'No space left'",
            Memory = "256M",
        });
        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("1\n", await Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task TheJobDirectory_StaysWritable()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "dd if=/dev/zero of=out bs=1M count=20 2>/dev/null && wc -c < out" });
        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("20971520\n", await Api.StdoutAsync(job.Id));
    }
}
