using System.Diagnostics;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// Server:MinFreeSpace: with the job directories' filesystem (a 64 MiB tmpfs here) filled below the floor, no job
/// launches, the pending job says why, health says degraded; freeing the space lets the job run.
/// </summary>
public sealed class FreeSpaceTests : IAsyncLifetime
{
    private ServerProcess server = null!;
    private string jobsDir = null!;
    private bool mounted;

    public async Task InitializeAsync()
    {
        server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:MinFreeSpace"] = "32M" });
        jobsDir = Path.Combine(server.DataDir, "jobs");
        Directory.CreateDirectory(jobsDir);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=64M", "tmpfs", jobsDir);
        mounted = true;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        if (mounted)
        {
            await RunAsync("umount", "-l", jobsDir);
        }
    }

    [Fact]
    public async Task BelowTheFloor_NoJobLaunches_ThePendingJobAndHealthSayWhy_AndItRunsOnceSpaceReturns()
    {
        var filler = Path.Combine(jobsDir, "filler");
        await File.WriteAllBytesAsync(filler, new byte[40 << 20]);
        const string Shortage = "job directories' filesystem has 24 MiB free, below Server:MinFreeSpace 32 MiB";

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo ran" });
        var waiting = await server.Api.WaitForAsync(job.Id, j => j.Reason?.StartsWith("waiting: job directories'", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30));
        var health = await server.Api.HealthAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stillWaiting = await server.Api.GetAsync(job.Id);

        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Equal("waiting: " + Shortage, waiting.Reason);
        Assert.Equal(JobState.Pending, stillWaiting.State);
        Assert.Equal("degraded", health.Status);
        Assert.Equal("no job launches: " + Shortage, health.Reason);

        File.Delete(filler);
        var done = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("ran\n", await server.Api.StdoutAsync(job.Id));
        Assert.Equal("ok", (await server.Api.HealthAsync()).Status);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error}");
        }
    }
}
