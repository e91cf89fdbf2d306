using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// What a job can reach over the network: not another job, not the host (except the ports the site opens),
/// nothing at all with network none. Each test is the attack, run from inside a job.
/// </summary>
public sealed class JobNetworkTests : IAsyncLifetime
{
    private readonly TcpListener closed = new(IPAddress.Any, 0);
    private readonly TcpListener open = new(IPAddress.Any, 0);
    private ServerProcess server = null!;

    private static int PortOf(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    public async Task InitializeAsync()
    {
        closed.Start();
        open.Start();
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Executor:Docker:HostPortsOpen:0"] = PortOf(open).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync()
    {
        closed.Stop();
        open.Stop();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task AJobListening_CannotBeReachedByAnotherJob()
    {
        var listener = await server.Api.SubmitAsync(new JobSpec
        {
            Script = "echo addr=$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1); timeout 60 nc -l -p 7777; echo listener-done",
        });
        var address = await AddressOfAsync(listener.Id);

        var caller = await server.Api.SubmitAsync(new JobSpec { Script = $"echo intruder | nc -w 3 {address} 7777 && echo CONNECTED || echo BLOCKED" });
        var called = await server.Api.WaitEndAsync(caller.Id);
        await server.Api.KillAsync(listener.Id);
        await server.Api.WaitEndAsync(listener.Id);

        Assert.Equal(JobState.Succeeded, called.State);
        Assert.Equal("BLOCKED\n", await server.Api.StdoutAsync(caller.Id));
        Assert.DoesNotContain("intruder", await server.Api.StdoutAsync(listener.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostListenerOnEveryAddress_IsUnreachableFromAJob_ExceptAPortTheSiteOpens()
    {
        // The bridge's gateway, then every address of the host: each is the host, from the job's side.
        var hosts = string.Join(' ', NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)));
        var job = await server.Api.SubmitAsync(new JobSpec
        {
            Script = $$"""
                for h in $(ip route | awk '/default/ {print $3}') {{hosts}}; do
                  timeout 5 nc -w 2 $h {{PortOf(closed)}} </dev/null && echo "reached $h"
                done
                timeout 5 nc -w 2 $(ip route | awk '/default/ {print $3}') {{PortOf(open)}} </dev/null && echo "open port reached"
                echo done
                """,
        });
        // The open port's listener answers and hangs up, so the job's nc ends; the other one never accepts.
        using var answering = new CancellationTokenSource();
        var answer = Task.Run(async () =>
        {
            while (!answering.IsCancellationRequested)
            {
                using var connection = await open.AcceptTcpClientAsync(answering.Token);
            }
        });
        var done = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromMinutes(2));
        await answering.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
        var stdout = await server.Api.StdoutAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.False(closed.Pending(), "a job's connection reached the host's listener");
        Assert.Equal("open port reached\ndone\n", stdout);
    }

    [Fact]
    public async Task NetworkNone_LeavesTheJobOnlyLoopback()
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "ip -o link | awk -F': ' '{print $2}'", Network = "none" });
        var done = await server.Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("lo\n", await server.Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task AnUnknownNetworkChoice_IsRefusedNamingTheField()
    {
        using var response = await server.Api.PostRawAsync("/api/v1/jobs", """{"script":"true","network":"host"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"network\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<string> AddressOfAsync(long jobId)
    {
        for (var i = 0; i < 300; i++)
        {
            var stdout = await server.Api.StdoutAsync(jobId);
            if (stdout.Split('\n').FirstOrDefault(l => l.StartsWith("addr=", StringComparison.Ordinal) && l.Length > 5) is { } line)
            {
                return line[5..];
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {jobId} never said its address");
    }
}
