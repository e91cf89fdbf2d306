using System.Diagnostics;
using System.Net;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The server's disk fills up for real (its data directory on a small tmpfs, filled with a file): writes answer 507,
/// health says why, and a job's end that cannot be recorded waits, then is recorded once space is freed.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly string mount = Directory.CreateTempSubdirectory("godocker-diskfull-").FullName;
    private string Filler => Path.Combine(mount, "filler");

    public async Task InitializeAsync() => await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount);

    public async Task DisposeAsync()
    {
        await RunAsync("umount", "-l", mount);
        Directory.Delete(mount, recursive: true);
    }

    [Fact]
    public async Task AFullDisk_Answers507_KeepsTheEndWaiting_AndRecordsItOnceSpaceIsFreed()
    {
        var dataDir = Directory.CreateDirectory(Path.Combine(mount, "data")).FullName;
        // The free-space floor is off: this test is about a store that cannot write, not about launches held back.
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Server:MinFreeSpace"] = "0" }, dataDir: dataDir);
        // The job ends when told to (a file in its directory), so its end comes after the disk is full.
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "while [ ! -e \"$GODOCKER_JOB_DIR/go\" ]; do sleep 0.1; done" });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running, TimeSpan.FromSeconds(30));

        await FillAsync();
        using var submit = await server.Api.PostRawAsync("/api/v1/jobs", """{"script": "true"}""");
        var submitProblem = await submit.Content.ReadAsStringAsync();
        await File.WriteAllBytesAsync(Path.Combine(dataDir, "jobs", job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "go"), []);
        var degraded = await WaitHealthAsync(server, h => h.Contains("disk full", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the end keeps failing to be recorded meanwhile
        var whileFull = await server.Api.GetAsync(job.Id);
        File.Delete(Filler);
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(60));
        var healthy = await WaitHealthAsync(server, h => h.Contains("\"status\":\"ok\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.InsufficientStorage, submit.StatusCode);
        Assert.Contains("disk is full", submitProblem, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"degraded\"", degraded, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"disk full: the store cannot write", degraded, StringComparison.Ordinal);
        Assert.Equal(JobState.Running, whileFull.State);
        Assert.Equal((JobState.Succeeded, 0), (ended.State, ended.ExitCode));
        Assert.DoesNotContain("disk full", healthy, StringComparison.Ordinal);
        Assert.Equal(1, (await server.Api.ListAsync()).Total); // the refused submit left nothing behind
    }

    /// <summary>Writes zeros until the filesystem has no room left.</summary>
    private async Task FillAsync()
    {
        await using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write);
        var chunk = new byte[64 * 1024];
        try
        {
            for (var i = 0; i < 10_000; i++)
            {
                await file.WriteAsync(chunk);
                await file.FlushAsync();
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    /// <summary>Health as the wire shows it, polled until <paramref name="condition"/> (bounded: 30 s).</summary>
    private static async Task<string> WaitHealthAsync(ServerProcess server, Func<string, bool> condition)
    {
        for (var i = 0; ; i++)
        {
            var health = await server.Api.Http.GetStringAsync("/api/v1/health");
            if (condition(health) || i >= 300)
            {
                return health;
            }
            await Task.Delay(100);
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: exit code {process.ExitCode}: {stderr}");
        }
    }
}
