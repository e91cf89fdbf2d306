using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A second real Docker engine on this machine (scripts/dockerd2.sh: its own network namespace, socket and data
/// root), as a second node. `godocker.sh test` starts it and passes its endpoint in GODOCKER_TEST_NODE2; a test
/// run without that starts it here (the script is idempotent).
/// </summary>
public static class SecondEngine
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static string? endpoint;

    /// <summary>The first engine's endpoint, as the other tests reach it.</summary>
    public static string FirstEndpoint { get; } = Environment.GetEnvironmentVariable("GODOCKER_TEST_DOCKER") ?? "unix:///var/run/docker.sock";

    public static async Task<string> EndpointAsync()
    {
        await Starting.WaitAsync();
        try
        {
            return endpoint ??= Environment.GetEnvironmentVariable("GODOCKER_TEST_NODE2") is { Length: > 0 } given ? given : await StartAsync();
        }
        finally
        {
            Starting.Release();
        }
    }

    public static DockerClient Client(string endpoint) => new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).Build();

    /// <summary>This instance's containers on the engine (of <paramref name="jobId"/> when given), running or not.</summary>
    public static async Task<IList<ContainerListResponse>> ContainersOfAsync(DockerClient engine, string instanceId, long? jobId = null)
    {
        var labels = new Dictionary<string, bool> { [$"godocker.instance={instanceId}"] = true };
        if (jobId is { } job)
        {
            labels[$"godocker.job={job.ToString(System.Globalization.CultureInfo.InvariantCulture)}"] = true;
        }
        return await engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        });
    }

    private static async Task<string> StartAsync()
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(Paths.RepoRoot, "scripts/dockerd2.sh"), "start"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/dockerd2.sh start failed (exit code {process.ExitCode}):\n{await stderr}");
        }
        return (await stdout).Trim().Split('\n')[^1];
    }
}
