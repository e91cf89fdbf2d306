using System.Net;
using System.Net.Sockets;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// What the server does before it serves: --help and a mistyped flag start nothing; the data directory is locked
/// (a second server on it is refused) and owner-only (it holds password hashes, scripts and environments).
/// </summary>
public sealed class StartupSafetyTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);
    private const UnixFileMode GroupAndOthers = (UnixFileMode)0b000_111_111;
    private readonly string dataDir = Directory.CreateTempSubdirectory("godocker-startup-").FullName;

    public void Dispose() => Directory.Delete(dataDir, recursive: true);

    /// <summary>
    /// Whatever the command line, a server that starts anyway does so on this test's own data directory and a free
    /// port (never /var/lib/godocker and 8080), and is killed at the timeout.
    /// </summary>
    private Dictionary<string, string> Contained() => new()
    {
        ["GODOCKER_Server__DataDir"] = dataDir,
        ["GODOCKER_Server__Listen"] = $"http://127.0.0.1:{FreePort()}",
        ["GODOCKER_Jobs__DefaultImage"] = "godocker/busybox:latest",
    };

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task ServerHelp_PrintsTheFlags_AndStartsNothing(string flag)
    {
        var run = await BoundedProcess.RunAsync("dotnet", [Paths.ServerDll, flag], Contained(), ExitTimeout);

        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.ToString());
        Assert.Contains("--data-dir DIR", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("GODOCKER_Section__Key", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
    }

    [Fact]
    public async Task CliServerHelp_PrintsTheServersHelp_AndStartsNothing()
    {
        var environment = Contained();
        environment["GODOCKER_SERVER_BIN"] = Paths.ServerExecutable;

        var run = await BoundedProcess.RunAsync(Paths.Cli, ["server", "--help"], environment, ExitTimeout);

        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.ToString());
        Assert.Contains("--data-dir DIR", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
    }

    [Theory]
    [InlineData("--data-dri", "/tmp/elsewhere")]
    [InlineData("--lisen", "http://127.0.0.1:1")]
    public async Task UnknownFlag_IsRefusedNamingIt_WithExitCode2(string flag, string value)
    {
        var run = await BoundedProcess.RunAsync("dotnet", [Paths.ServerDll, flag, value], Contained(), ExitTimeout);

        Assert.True(run.ExitCode == 2 && !run.TimedOut, run.ToString());
        Assert.Contains($"unknown flag '{flag}'", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
    }

    [Fact]
    public async Task DataDirectoryAndDatabase_AreOwnerOnly_AndLooseOnesAreTightenedAtStart()
    {
        await using var server = await ServerProcess.StartAsync();
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo hi" });
        await server.Api.WaitEndAsync(job.Id);
        AssertOwnerOnly(server.DataDir);

        // An operator (or an older version) left them world-readable: the next start tightens them.
        await server.KillHardAsync();
        File.SetUnixFileMode(server.DataDir, (UnixFileMode)0b111_101_101);
        foreach (var file in Directory.EnumerateFiles(server.DataDir, "godocker.db*"))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }
        await server.StartAgainAsync();

        AssertOwnerOnly(server.DataDir);
        Assert.Contains("tightened to 0700", server.Log, StringComparison.Ordinal);
    }

    private static void AssertOwnerOnly(string dataDir)
    {
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(dataDir));
        var files = Directory.EnumerateFiles(dataDir, "godocker.db*").ToList();
        Assert.Contains(files, f => f.EndsWith("godocker.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("godocker.db-wal", StringComparison.Ordinal));
        Assert.All(Directory.EnumerateFileSystemEntries(dataDir), entry =>
            Assert.True((File.GetUnixFileMode(entry) & GroupAndOthers) == 0, $"{entry} is {File.GetUnixFileMode(entry)}"));
    }

    [Fact]
    public async Task SecondServerOnTheSameDataDirectory_IsRefused_AndTheFirstsJobKeepsRunning()
    {
        await using var first = await ServerProcess.StartAsync();
        var job = await first.Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        await first.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        var environment = ServerProcess.TestDefaults.ToDictionary(kv => "GODOCKER_" + kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

        var second = await BoundedProcess.RunAsync("dotnet",
            [Paths.ServerDll, "--data-dir", first.DataDir, "--listen", $"http://127.0.0.1:{FreePort()}"], environment, ExitTimeout);

        Assert.True(second.ExitCode != 0 && !second.TimedOut, second.ToString());
        Assert.Contains($"data directory {first.DataDir} is in use by another GoDocker server (pid ", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(JobState.Running, (await first.Api.GetAsync(job.Id)).State);
        Assert.Single(await DockerEngine.ContainersOfAsync(first.InstanceId!, job.Id), c => c.State == "running");
        await first.Api.KillAsync(job.Id);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
