using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Models;
using GoDocker.Executors.Docker;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>The certificates of a site CA and of a rogue one (scripts/certs.sh), and an engine of its own reached over mutual TLS.</summary>
public sealed class TlsSite : IAsyncLifetime
{
    private const string EngineName = "godocker-tls";
    // Beside the engine's run folder: the certificates live as long as the engine they were made for (both go at a reboot).
    public string Site { get; } = $"/run/{EngineName}/site";
    public string Rogue { get; } = $"/run/{EngineName}/rogue";
    /// <summary>This server's client folder (ca.pem, cert.pem, key.pem) from the site CA.</summary>
    public string Client => Path.Combine(Site, "clients", "server");
    public OwnEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = new OwnEngine(EngineName, Site);
        if (!File.Exists(Path.Combine(Site, "ca.pem")))
        {
            await Engine.StopAsync(); // an engine still running from before knows another CA: start it again with this one
        }
        await CertsAsync("ca", Site);
        await CertsAsync("client", Site, "server");
        await CertsAsync("ca", Rogue);
        await CertsAsync("client", Rogue, "intruder");
        await Engine.StartAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask; // the engine stays up for the next run; its containers die with their servers

    public static async Task CertsAsync(params string[] args)
    {
        var result = await BoundedProcess.RunAsync("bash", [Path.Combine(Paths.RepoRoot, "scripts/certs.sh"), .. args],
            new Dictionary<string, string>(), TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"scripts/certs.sh {string.Join(' ', args)}: {result}");
    }
}

/// <summary>
/// A remote engine is reached only over mutual TLS (dockerd --tlsverify): the job runs there; plain tcp is refused at
/// start; an engine whose certificate the site CA did not sign, or that names another address, is never believed; and
/// the engine started by the project's script refuses a client without a site certificate.
/// </summary>
public sealed class RemoteEngineTlsTests(TlsSite tls) : IClassFixture<TlsSite>
{
    [Fact]
    public async Task AJob_RunsOnAnEngineReachedOverMutualTls()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Nodes:0:Name"] = "remote",
            ["Nodes:0:Endpoint"] = tls.Engine.TlsEndpoint!,
            ["Nodes:0:TlsCertPath"] = tls.Client,
            ["Nodes:0:Cpus"] = "1",
            ["Nodes:0:Memory"] = "512M",
        });

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo over tls" });
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Equal("remote", ended.Node);
        Assert.Equal("over tls\n", await server.Api.StdoutAsync(job.Id));
        Assert.StartsWith("tcp://10.201.", tls.Engine.TlsEndpoint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARemoteEngineThatDoesNotSeeTheJobDirectories_TakesNoJob_AndSaysWhatToMount()
    {
        // The server in a mount namespace of its own, a tmpfs over its jobs folder: it writes where the engine cannot
        // see, as a server whose job directories are on its local disk instead of the shared filesystem.
        var jobs = Directory.CreateTempSubdirectory("godocker-unshared-").FullName;
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Server:JobsDir"] = jobs,
            ["Nodes:0:Name"] = "remote",
            ["Nodes:0:Endpoint"] = tls.Engine.TlsEndpoint!,
            ["Nodes:0:TlsCertPath"] = tls.Client,
            // Were a failed check counted as silence, the node would be down (its jobs given up) by the time it is looked at.
            ["Executor:NodeDownAfter"] = "00:00:01",
        }, expectHealthy: false, launcher: ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"", jobs]);

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo lost output" });
        var waiting = await server.Api.WaitForAsync(job.Id, j => j.Reason?.Contains("does not see the job directories", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Contains("mount the shared filesystem at the same path", waiting.Reason, StringComparison.Ordinal);
        // The engine answers: the node is in error (no new jobs), never unreachable, so never down with its jobs given up.
        var node = Assert.Single((await server.Api.HealthAsync()).Nodes);
        Assert.Equal(("error", null), (node.Status, node.DownSince));
    }

    [Fact]
    public async Task ALinkPlantedWhereTheProbeIsWritten_IsNotWrittenThrough()
    {
        // Someone who can write the jobs root plants the probe's name as a link to a host file before the server starts.
        var jobs = Directory.CreateTempSubdirectory("godocker-probe-link-").FullName;
        var target = Path.Combine(Directory.CreateTempSubdirectory("godocker-host-file-").FullName, "precious");
        await File.WriteAllTextAsync(target, "unchanged");
        File.CreateSymbolicLink(Path.Combine(jobs, ".godocker-probe-remote"), target);
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Server:JobsDir"] = jobs,
            ["Nodes:0:Name"] = "remote",
            ["Nodes:0:Endpoint"] = tls.Engine.TlsEndpoint!,
            ["Nodes:0:TlsCertPath"] = tls.Client,
        });

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo probed" });
        var ended = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromSeconds(90));

        Assert.Equal("unchanged", await File.ReadAllTextAsync(target));
        Assert.Equal(JobState.Succeeded, ended.State); // the probe still ran, on a file of its own
    }

    [Fact]
    public async Task PlainTcp_AndAnUnusableTlsFolder_AreRefusedAtStart_NamingTheNode()
    {
        var empty = Directory.CreateTempSubdirectory("godocker-notls-").FullName;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Nodes:0:Name"] = "plain",
            ["Nodes:0:Endpoint"] = "tcp://127.0.0.1:2375",
            ["Nodes:1:Name"] = "nocerts",
            ["Nodes:1:Endpoint"] = "tcp://127.0.0.1:2376",
            ["Nodes:1:TlsCertPath"] = empty,
        }));

        Assert.Contains("Nodes:0 (plain): endpoint tcp://127.0.0.1:2375 is plain tcp: anyone who reaches that port is root on the node", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Nodes:1 (nocerts): TlsCertPath: {Path.Combine(empty, "ca.pem")} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainTcp_StartsOnlyWhenTheSiteSaysSoExplicitly()
    {
        // The TLS port spoken to in plain http: the server starts (the site allowed it) but the engine answers nothing usable.
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Executor:Docker:AllowPlainTcp"] = "true",
            ["Nodes:0:Name"] = "plain",
            ["Nodes:0:Endpoint"] = tls.Engine.TlsEndpoint!,
        }, expectHealthy: false);

        // The engine answers (400: an http request to its https port): a node in error, not a silent one.
        // Once contacted: the first refresh runs after the server starts answering.
        var health = await server.Api.HealthAsync();
        await Until.TrueAsync(async () => (health = await server.Api.HealthAsync()).Nodes.Single().Status != "unknown", TimeSpan.FromSeconds(60), "the node contacted");
        Assert.Equal("error", Assert.Single(health.Nodes).Status);
    }

    [Fact]
    public async Task AnEngineTheSiteCaDidNotSign_IsNeverSentAJob()
    {
        // A folder whose client certificate the engine accepts (the site's) but whose CA is another: to this server the
        // engine is an impostor, whatever it answers.
        var mixed = Directory.CreateTempSubdirectory("godocker-mixed-").FullName;
        File.Copy(Path.Combine(tls.Rogue, "ca.pem"), Path.Combine(mixed, "ca.pem"));
        File.Copy(Path.Combine(tls.Client, "cert.pem"), Path.Combine(mixed, "cert.pem"));
        File.Copy(Path.Combine(tls.Client, "key.pem"), Path.Combine(mixed, "key.pem"));
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Nodes:0:Name"] = "impostor",
            ["Nodes:0:Endpoint"] = tls.Engine.TlsEndpoint!,
            ["Nodes:0:TlsCertPath"] = mixed,
        }, expectHealthy: false);

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "echo must not run" });
        var waiting = await server.Api.WaitForAsync(job.Id, j => j.Reason?.Contains("impostor", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30));

        // Something answers, but not the engine the site signed: in error (no jobs), never counted as silence toward down,
        // which would give up the jobs the real engine may still run (an expired or replaced certificate looks the same).
        var node = Assert.Single((await server.Api.HealthAsync()).Nodes);
        Assert.Equal("error", node.Status);
        Assert.Equal(JobState.Pending, waiting.State);
        using var engine = new DockerClientBuilder().WithEndpoint(new Uri(tls.Engine.Endpoint)).Build();
        var containers = await engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"godocker.instance={server.InstanceId}"] = true } },
        });
        Assert.Empty(containers);
    }

    [Fact]
    public async Task TheEngine_RefusesAClientWithoutACertificateOfTheSiteCa()
    {
        var url = new Uri(tls.Engine.TlsEndpoint!.Replace("tcp://", "https://", StringComparison.Ordinal) + "/version");
        var trust = EngineTls.Load(tls.Client);
        using var none = Client(null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => none.GetStringAsync(url));
        using var rogue = Client(X509Certificate2.CreateFromPemFile(Path.Combine(tls.Rogue, "clients/intruder/cert.pem"), Path.Combine(tls.Rogue, "clients/intruder/key.pem")));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => rogue.GetStringAsync(url));
        // Control: the site's client certificate is let in.
        using var site = Client(trust.Client);
        Assert.Contains("ApiVersion", await site.GetStringAsync(url), StringComparison.Ordinal);

        HttpClient Client(X509Certificate2? certificate)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = trust.Trusts; // the engine is genuine: its refusal is what is tested
            if (certificate is not null)
            {
                handler.SslOptions.ClientCertificates = [certificate];
            }
            return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        }
    }

    [Fact]
    public async Task AnEngineCertificateForAnotherAddress_IsRefused_EvenFromTheSiteCa()
    {
        await TlsSite.CertsAsync("engine", tls.Site, "elsewhere", "elsewhere.example.org", "10.9.9.9");
        await TlsSite.CertsAsync("engine", tls.Site, "loopback", "127.0.0.1");
        var trust = EngineTls.Load(tls.Client);

        await Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(Path.Combine(tls.Site, "engines/elsewhere"), trust));
        await HandshakeAsync(Path.Combine(tls.Site, "engines/loopback"), trust); // control: the same CA, the address dialled
    }

    /// <summary>A TLS server on loopback presenting the engine certificate of <paramref name="engine"/>; the client dials 127.0.0.1.</summary>
    private static async Task HandshakeAsync(string engine, EngineTls trust)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(engine, "cert.pem"), Path.Combine(engine, "key.pem"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(accepted.GetStream());
            try
            {
                await ssl.AuthenticateAsServerAsync(certificate);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // the client walked away: what the test checks is the client's verdict
            }
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        await using var client = new SslStream(tcp.GetStream(), false, trust.Trusts);
        try
        {
            await client.AuthenticateAsClientAsync("127.0.0.1");
        }
        finally
        {
            tcp.Close();
            await serve.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
