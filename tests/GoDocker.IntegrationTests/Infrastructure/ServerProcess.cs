using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A real `godocker-server` process on a free loopback port with its own data directory, talking to the
/// real Docker engine. Tests can SIGKILL it and start it again on the same data directory.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> settings;
    private readonly string listenHost;
    private readonly StringBuilder log = new();
    private Process? process;
    private bool expectHealthy = true;
    private IReadOnlyList<string> launcher = [];

    private ServerProcess(string dataDir, Dictionary<string, string> settings, string listenHost)
    {
        DataDir = dataDir;
        this.settings = settings;
        this.listenHost = listenHost;
    }

    public string DataDir { get; }
    public Uri BaseUrl { get; private set; } = null!;
    public GoDockerApi Api { get; private set; } = null!;
    /// <summary>This server's instance id: the label on its containers.</summary>
    public string? InstanceId { get; private set; }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Defaults tuned for tests: the busybox image, small jobs, a short kill grace period.</summary>
    public static readonly IReadOnlyDictionary<string, string> TestDefaults = new Dictionary<string, string>
    {
        ["Jobs:DefaultImage"] = "godocker/busybox:latest",
        ["Jobs:DefaultCpus"] = "0.25",
        ["Jobs:DefaultMemory"] = "64M",
        ["Jobs:KillGracePeriod"] = "00:00:03",
        ["Scheduler:Interval"] = "00:00:01",
    };

    /// <param name="listenHost">
    /// The address the server listens on (0.0.0.0: every one); the tests reach it on 127.0.0.1. Several separated by
    /// ';' (e.g. 127.0.0.1 and the browser namespace's link address) listen on each, on the same port.
    /// </param>
    /// <param name="dataDir">A data directory the caller made (e.g. on a small filesystem); a new temp one when null.</param>
    /// <param name="launcher">A command the server is started through (its arguments follow), e.g. to give it a mount namespace of its own.</param>
    public static async Task<ServerProcess> StartAsync(
        IReadOnlyDictionary<string, string>? overrides = null, bool testDefaults = true, bool expectHealthy = true, string listenHost = "127.0.0.1",
        string? dataDir = null, IReadOnlyList<string>? launcher = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("godocker-test-").FullName;
        var settings = testDefaults ? new Dictionary<string, string>(TestDefaults) : [];
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var server = new ServerProcess(dataDir, settings, listenHost) { expectHealthy = expectHealthy, launcher = launcher ?? [] };
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the process (again) on the same data directory and waits until /health answers (and says ok, unless not expected).</summary>
    public async Task StartAgainAsync()
    {
        var port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in launcher.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }
        if (launcher.Count > 0)
        {
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(Paths.ServerDll);
        info.ArgumentList.Add("--data-dir");
        info.ArgumentList.Add(DataDir);
        info.ArgumentList.Add("--listen");
        info.ArgumentList.Add(string.Join(';', listenHost.Split(';').Select(host => $"http://{host}:{port}")));
        foreach (var (key, value) in settings)
        {
            info.Environment["GODOCKER_" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        process = Process.Start(info) ?? throw new InvalidOperationException("could not start the server");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Api = new GoDockerApi(BaseUrl);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                // Exited is seen before the redirected output is read to its end: wait for that, so Log holds why.
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"the server exited with {process.ExitCode}:\n{Log}");
            }
            try
            {
                var health = await Api.HealthAsync();
                if ((health.Status == "ok" || !expectHealthy) && InstanceId is not null)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the server did not become healthy:\n{Log}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine or process dies.</summary>
    public async Task KillHardAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillHardAsync();
        process?.Dispose();
        Api?.Dispose();
        // Every server's log is kept where a failed run can be read afterwards (the data dir is deleted below).
        var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "godocker-test-logs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(logs, $"{InstanceId ?? Path.GetFileName(DataDir)}.log"), Log);
        if (InstanceId is not null)
        {
            await DockerEngine.RemoveContainersAsync(InstanceId);
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
        if (InstanceId is null && InstancePattern().Match(line) is { Success: true } match)
        {
            InstanceId = match.Groups[1].Value;
        }
    }

    [GeneratedRegex(@"instance ([0-9a-f]{12})")]
    private static partial Regex InstancePattern();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
