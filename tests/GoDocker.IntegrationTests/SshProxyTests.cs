using System.Globalization;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// `godocker ssh-proxy ID --port P` (an ssh ProxyCommand): the CLI's stdin and stdout reach a TCP service listening on
/// the job's own loopback, through the server's exec, as the job's user; nothing of the job is published on any host
/// port. The service here is busybox's httpd, a stand-in for an sshd: the bytes are relayed alike.
/// </summary>
public sealed class SshProxyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task<long> ServingJobAsync()
    {
        // Listens on the job's loopback only: no other way in than through the job's own network namespace.
        var job = await fixture.Api.SubmitAsync(new JobSpec { Script = "echo served-by-the-job > page.txt\nexec httpd -f -p 127.0.0.1:8000 -h /godocker/job" });
        await fixture.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        return job.Id;
    }

    [Fact]
    public async Task TheRelay_CarriesAConversationWithAServiceOnTheJobsLoopback_BothWays()
    {
        var job = await ServingJobAsync();
        try
        {
            // A moment for httpd to listen.
            Cli.Result result = null!;
            for (var attempt = 0; attempt < 20; attempt++)
            {
                result = await Cli.RunAsync(fixture.Server.BaseUrl, Path.GetTempPath(), "GET /page.txt HTTP/1.0\r\n\r\n", new Dictionary<string, string>(),
                    "ssh-proxy", job.ToString(CultureInfo.InvariantCulture), "--port", "8000");
                if (result.Stdout.Contains("200 OK", StringComparison.Ordinal))
                {
                    break;
                }
                await Task.Delay(250);
            }

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("HTTP/1.1 200 OK", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("served-by-the-job", result.Stdout, StringComparison.Ordinal);
            // An exec like any other: in the job's timeline.
            Assert.Contains((await fixture.Api.GetAsync(job)).Events!, e => e.Kind == "exec" && e.Message.Contains("godocker-ssh-proxy 8000", StringComparison.Ordinal));
        }
        finally
        {
            await fixture.Api.KillAsync(job);
        }
    }

    [Fact]
    public async Task APortNothingListensOn_FailsWithTheRelaysError_AndAJobNotRunning_Is409()
    {
        var job = await ServingJobAsync();
        var held = await fixture.Api.SubmitAsync(new JobSpec { Command = ["true"], Hold = true });
        try
        {
            var closed = await Cli.RunAsync(fixture.Server.BaseUrl, Path.GetTempPath(), "", new Dictionary<string, string>(),
                "ssh-proxy", job.ToString(CultureInfo.InvariantCulture), "--port", "8001");
            var pending = await Cli.RunAsync(fixture.Server.BaseUrl, Path.GetTempPath(), "", new Dictionary<string, string>(),
                "ssh-proxy", held.Id.ToString(CultureInfo.InvariantCulture));

            Assert.NotEqual(0, closed.ExitCode);
            Assert.Equal("", closed.Stdout);
            Assert.Equal(1, pending.ExitCode);
            Assert.Contains($"Conflict: job {held.Id} is Pending", pending.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Api.KillAsync(job);
            await fixture.Api.KillAsync(held.Id);
        }
    }
}
