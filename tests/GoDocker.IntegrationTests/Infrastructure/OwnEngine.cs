using System.Diagnostics;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A Docker engine this test class owns and may stop and start (scripts/dockerd2.sh with GODOCKER_NODE2=<paramref name="name"/>:
/// its own network namespace, socket and data root). Never the main engine or the shared second one: other tests use those.
/// With <paramref name="tlsSite"/> (a site CA folder, scripts/certs.sh ca), it also listens on tcp:// with mutual TLS over a
/// veth link, as a remote machine's engine would; <see cref="TlsEndpoint"/> is that address once started.
/// With <paramref name="link"/> (GODOCKER_NODE2_LINK=1), it gets that link without TLS and a route to the other linked
/// engines, so linked engines reach each other at their <see cref="Address"/> (a multi-node swarm on one machine).
/// </summary>
public sealed class OwnEngine(string name, string? tlsSite = null, bool link = false)
{
    public string Endpoint { get; } = $"unix:///run/{name}/docker.sock";

    /// <summary>Its dockerd's pidfile, while it runs.</summary>
    public string PidFile { get; } = $"/run/{name}/docker.pid";

    /// <summary>The tcp:// endpoint (mutual TLS), known after <see cref="StartAsync"/> when the engine was given a site.</summary>
    public string? TlsEndpoint { get; private set; }

    /// <summary>Its address on its link (10.201.N.2), known after <see cref="StartAsync"/> when the engine has a link.</summary>
    public string? Address { get; private set; }

    public async Task StartAsync()
    {
        var printed = await RunAsync("start");
        if (tlsSite is not null)
        {
            TlsEndpoint = printed.Trim().Split('\n')[^1];
        }
        if (link || tlsSite is not null)
        {
            Address = (await RunAsync("address")).Trim();
        }
    }

    public Task StopAsync() => RunAsync("stop");

    private async Task<string> RunAsync(string verb)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(Paths.RepoRoot, "scripts/dockerd2.sh"), verb])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GODOCKER_NODE2"] = name;
        if (tlsSite is not null)
        {
            info.Environment["GODOCKER_NODE2_TLS"] = tlsSite;
        }
        if (link)
        {
            info.Environment["GODOCKER_NODE2_LINK"] = "1";
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/dockerd2.sh {verb} ({name}) failed (exit code {process.ExitCode}):\n{await stdout}{await stderr}");
        }
        return await stdout;
    }
}
