using System.Globalization;
using Docker.DotNet;
using GoDocker.IntegrationTests.Infrastructure;

namespace GoDocker.IntegrationTests;

/// <summary>
/// scripts/dockerd2.sh starts an engine on what a machine's earlier life left in /run, as a CI machine made from another
/// machine's disk has it: none of the processes, all of their files. Here both at once, on an engine of this class's
/// own: its network namespace's file no longer a namespace (the mount gone), and its dockerd pidfile naming a live
/// process that is no dockerd. (NodeFailureTests has the pidfile alone, after a dockerd killed hard.)
/// </summary>
public sealed class EngineLeftoversTests : IAsyncLifetime
{
    private const string Name = "godocker-leftover";
    private readonly OwnEngine engine = new(Name);

    public Task InitializeAsync() => engine.StopAsync();

    public Task DisposeAsync() => engine.StopAsync();

    [Fact]
    public async Task AStaleNamespaceFileAndAPidfileNamingAnotherProcess_DoNotKeepTheEngineFromStarting_InANamespaceOfItsOwn()
    {
        var namespaceFile = $"/run/netns/{Name}";
        await RunAsync("ip", "netns", "delete", Name); // fails harmlessly when there is none yet
        await File.WriteAllTextAsync(namespaceFile, "");
        Directory.CreateDirectory(Path.GetDirectoryName(engine.PidFile)!);
        await File.WriteAllTextAsync(engine.PidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Assert.NotEqual(0, (await RunAsync("mountpoint", "-q", namespaceFile)).ExitCode); // the leftover is no namespace

        await engine.StartAsync();

        using var client = new DockerClientBuilder().WithEndpoint(new Uri(engine.Endpoint)).Build();
        await client.System.PingAsync();
        Assert.Equal(0, (await RunAsync("mountpoint", "-q", namespaceFile)).ExitCode);
        var dockerd = int.Parse(await File.ReadAllTextAsync(engine.PidFile), CultureInfo.InvariantCulture);
        Assert.Equal("dockerd", (await File.ReadAllTextAsync($"/proc/{dockerd}/comm")).Trim());
        // The engine lives in the namespace named for it, not in the host's: its docker0 is its own.
        var itsNamespace = (await RunAsync("stat", "-L", "-c", "%i", $"/proc/{dockerd}/ns/net")).Stdout.Trim();
        Assert.Equal((await RunAsync("stat", "-L", "-c", "%i", namespaceFile)).Stdout.Trim(), itsNamespace);
        Assert.NotEqual((await RunAsync("stat", "-L", "-c", "%i", "/proc/self/ns/net")).Stdout.Trim(), itsNamespace);
    }

    private static Task<BoundedProcess.Result> RunAsync(string program, params string[] args) =>
        BoundedProcess.RunAsync(program, args, new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
}
