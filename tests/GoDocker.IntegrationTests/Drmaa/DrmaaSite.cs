using System.Diagnostics;
using System.Text.Json;
using GoDocker.IntegrationTests.Infrastructure;

namespace GoDocker.IntegrationTests.Drmaa;

/// <summary>
/// A server with a read-write volume (shared, at /shared), and libdrmaa as users get it: GODOCKER_DRMAA_LIBRARY (set
/// by godocker.sh test), else out/lib/libdrmaa.so.1.0, else published here once. Clients are Debian's python3-drmaa,
/// run as a separate python3 process that finds the library through DRMAA_LIBRARY_PATH, as a user's script would.
/// </summary>
public sealed class DrmaaSite : IAsyncLifetime
{
    /// <summary>Debian's python, which has Debian's drmaa module (a python3 earlier on PATH, e.g. pyenv's, does not).</summary>
    private const string DebianPython = "/usr/bin/python3";

    private static readonly SemaphoreSlim PublishOnce = new(1, 1);

    public string Root { get; } = Directory.CreateTempSubdirectory("godocker-drmaa-").FullName;
    public ServerProcess Server { get; private set; } = null!;
    public string Library { get; private set; } = null!;

    public string Shared => Path.Combine(Root, "shared");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Shared);
        // Jobs of the no-authentication mode run as nobody: the folder is open to it, as a user's own would be.
        File.SetUnixFileMode(Shared, (UnixFileMode)0b111_111_111);
        Library = await LibraryAsync();
        Server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Volumes:0:Name"] = "shared",
            ["Volumes:0:HostPath"] = Shared,
            ["Volumes:0:ContainerPath"] = "/shared",
            ["Volumes:0:AllowedRoot"] = Root,
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a python3 script after a prelude (imports, <c>out(**values)</c> printing one JSON
    /// line, <c>error(f)</c> returning the exception a call raises as "ClassName: message") and returns the JSON it printed.
    /// </summary>
    public async Task<JsonElement> PythonAsync(string body, IReadOnlyDictionary<string, string>? environment = null)
    {
        const string prelude = """
            import ctypes, json, os, sys, threading, time
            import drmaa
            from drmaa.errors import *
            def out(**values):
                print(json.dumps(values, separators=(",", ":"))); sys.stdout.flush()
            def error(f):
                try:
                    f()
                except Exception as e:
                    return type(e).__name__ + ": " + str(e)
                return None

            """;
        var env = new Dictionary<string, string>
        {
            ["DRMAA_LIBRARY_PATH"] = Library,
            ["GODOCKER_URL"] = Server.BaseUrl.ToString().TrimEnd('/'),
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }
        var script = Path.Combine(Root, $"client-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, prelude + body);
        var result = await BoundedProcess.RunAsync(DebianPython, [script], env, TimeSpan.FromSeconds(150));
        Assert.True(result.ExitCode == 0 && !result.TimedOut, result.ToString());
        var last = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException("the script printed nothing\n" + result);
        return JsonDocument.Parse(last).RootElement;
    }

    /// <summary>libdrmaa for a client: GODOCKER_DRMAA_LIBRARY, else out/lib/libdrmaa.so.1.0, else published there now.</summary>
    internal static async Task<string> LibraryAsync()
    {
        if (Environment.GetEnvironmentVariable("GODOCKER_DRMAA_LIBRARY") is { Length: > 0 } given)
        {
            return given;
        }
        var published = Path.Combine(Paths.RepoRoot, "out/lib/libdrmaa.so.1.0");
        await PublishOnce.WaitAsync();
        try
        {
            if (!File.Exists(published))
            {
                var output = Path.Combine(Paths.RepoRoot, "out/drmaa");
                var publish = await BoundedProcess.RunAsync("dotnet",
                    ["publish", Path.Combine(Paths.RepoRoot, "src/GoDocker.Drmaa"), "-c", "Release", "-r", "linux-x64", "-o", output, "--nologo", "-v", "quiet"],
                    new Dictionary<string, string>(), TimeSpan.FromMinutes(15));
                Assert.True(publish.ExitCode == 0, publish.ToString());
                Directory.CreateDirectory(Path.GetDirectoryName(published)!);
                File.Copy(Path.Combine(output, "libdrmaa.so"), published, overwrite: true);
            }
        }
        finally
        {
            PublishOnce.Release();
        }
        Debug.Assert(File.Exists(published));
        return published;
    }
}
