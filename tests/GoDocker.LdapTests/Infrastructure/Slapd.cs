using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GoDocker.Server.Auth.Ldap;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace GoDocker.LdapTests.Infrastructure;

/// <summary>
/// A real OpenLDAP server for the test run: scripts/slapd.sh in a temp folder on free ports, stopped and removed
/// at the end. The directory's contents are described at the top of that script; <see cref="SeededDirectory"/> names them.
/// If slapd cannot start, every test of the collection fails with the script's output.
/// </summary>
public sealed class Slapd(IMessageSink diagnostics) : IAsyncLifetime
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(8); // a first run installs the packages

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "godocker-slapd-" + Guid.NewGuid().ToString("N"));

    public int Port { get; private set; }
    public int LdapsPort { get; private set; }
    public string LdapUrl => $"ldap://127.0.0.1:{Port}";
    public string LdapsUrl => $"ldaps://127.0.0.1:{LdapsPort}";
    /// <summary>The CA that signed the server's certificate.</summary>
    public string CaFile => Path.Combine(_dir, "tls", "ca.crt");

    /// <summary>
    /// Search through the service account, groups from posixGroup and memberOf: the usual site, the base that tests
    /// change with <c>with</c>.
    /// </summary>
    public LdapOptions Options() => new()
    {
        Url = LdapUrl,
        UserBaseDn = SeededDirectory.People,
        GroupBaseDn = SeededDirectory.Groups,
        BindDn = SeededDirectory.Reader,
        BindPassword = SeededDirectory.ReaderPassword,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public async Task InitializeAsync()
    {
        (Port, LdapsPort) = (FreePort(), FreePort());
        var started = Stopwatch.StartNew();
        var (exitCode, output) = await RunScriptAsync(StartLimit, "start", _dir, Port.ToString(), LdapsPort.ToString());
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"scripts/slapd.sh start failed (exit code {exitCode}):\n{output}");
        }
        diagnostics.OnMessage(new DiagnosticMessage($"slapd started in {started.Elapsed.TotalSeconds:0.00} s on {LdapUrl} and {LdapsUrl}"));
    }

    public async Task DisposeAsync()
    {
        try
        {
            var (exitCode, output) = await RunScriptAsync(TimeSpan.FromSeconds(30), "stop", _dir);
            if (exitCode != 0)
            {
                diagnostics.OnMessage(new DiagnosticMessage($"scripts/slapd.sh stop failed (exit code {exitCode}):\n{output}"));
            }
        }
        finally
        {
            if (Directory.Exists(_dir))
            {
                Directory.Delete(_dir, recursive: true);
            }
        }
    }

    /// <summary>A port nothing listens on, now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "slapd.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        using var timeout = new CancellationTokenSource(limit);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {limit}\n{await Partial(stdout)}\n{await Partial(stderr)}");
        }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    private static async Task<string> Partial(Task<string> output)
    {
        try
        {
            return await output;
        }
        catch (OperationCanceledException)
        {
            return "";
        }
    }

    private static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GoDocker.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("GoDocker.slnx not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class SlapdCollection : ICollectionFixture<Slapd>
{
    public const string Name = "slapd";
}
