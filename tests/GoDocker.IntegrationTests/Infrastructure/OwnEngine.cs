using System.Diagnostics;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A Docker engine this test class owns and may stop and start (scripts/dockerd2.sh with GODOCKER_NODE2=<paramref name="name"/>:
/// its own network namespace, socket and data root). Never the main engine or the shared second one: other tests use those.
/// </summary>
public sealed class OwnEngine(string name)
{
    public string Endpoint { get; } = $"unix:///run/{name}/docker.sock";

    public Task StartAsync() => RunAsync("start");

    public Task StopAsync() => RunAsync("stop");

    private async Task RunAsync(string verb)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(Paths.RepoRoot, "scripts/dockerd2.sh"), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GODOCKER_NODE2"] = name;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/dockerd2.sh {verb} ({name}) failed (exit code {process.ExitCode}):\n{await stdout}{await stderr}");
        }
    }
}
