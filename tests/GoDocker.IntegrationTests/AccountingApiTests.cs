using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GoDocker.Contracts;
using GoDocker.Execution;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.IntegrationTests;

/// <summary>GET /accounting through the HTTP API against the real engine: what an ended attempt's record holds, requeues, filters, refusals.</summary>
public sealed class AccountingApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GoDockerApi Api => fixture.Api;

    private async Task<AccountingList> AccountingAsync(string query) =>
        (await Api.Http.GetFromJsonAsync($"/api/v1/accounting{query}", GoDockerJson.Default.AccountingList))!;

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    [Fact]
    public async Task AJobThatExits3_HasARecord_WithItsExitCode_Cause_Node_AndElapsed()
    {
        var job = await Api.SubmitAsync(new JobSpec { Name = "three", Script = "sleep 1; exit 3" });
        var done = await Api.WaitEndAsync(job.Id);

        var page = await AccountingAsync($"?job={job.Id}");

        var record = Assert.Single(page.Items);
        Assert.Equal(1, page.Total);
        Assert.Equal((job.Id, "three", AccountedState.Failed, EndCause.Exited, 3, "local", 1), (record.JobId, record.Name, record.State, record.EndCause, record.ExitCode, record.Node, record.Attempt));
        Assert.Equal((done.StartedAt, done.EndedAt!.Value), (record.StartedAt, record.EndedAt));
        // The engine's own start and finish times: StartedAt is stamped once runc has started the process, so a job
        // that slept 1 s can read a few milliseconds short of it (0.995 s was seen in CI under load).
        Assert.True(record.ElapsedSeconds is >= 0.9 and < 30, $"elapsed {record.ElapsedSeconds} s for a job that slept 1 s");
        Assert.Equal((done.Cpus, done.MemoryBytes), (record.Cpus, record.MemoryBytes));
    }

    [Fact]
    public async Task ARequeuedAttempt_AndTheNext_AreBothListed()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "sleep 300" });
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        using (var response = await Api.PostRawAsync($"/api/v1/jobs/{job.Id}/requeue", ""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        await Api.WaitForAsync(job.Id, j => j.State == JobState.Running && j.Attempt == 2, TimeSpan.FromSeconds(30));
        await Api.KillAsync(job.Id);
        await Api.WaitEndAsync(job.Id);

        var records = (await AccountingAsync($"?job={job.Id}")).Items;

        Assert.Equal([(1, AccountedState.Requeued), (2, AccountedState.Killed)], records.Select(r => (r.Attempt, r.State)));
        Assert.All(records, r => Assert.Equal((EndCause.StopRequested, "local"), (r.EndCause!.Value, r.Node)));
        Assert.True(records[0].EndedAt <= records[1].StartedAt, "the second attempt started before the first was accounted");
    }

    [Fact]
    public async Task FiltersByState_AndByEndTime_KeepOnlyWhatMatches()
    {
        var ok = await Api.SubmitAsync(new JobSpec { Script = "true" });
        var failed = await Api.SubmitAsync(new JobSpec { Script = "exit 1" });
        var okEnd = (await Api.WaitEndAsync(ok.Id)).EndedAt!.Value;
        var failedEnd = (await Api.WaitEndAsync(failed.Id)).EndedAt!.Value;
        var both = $"job={ok.Id},{failed.Id}";

        Assert.Equal([failed.Id], (await AccountingAsync($"?{both}&state=failed")).Items.Select(r => r.JobId));
        Assert.Equal([ok.Id], (await AccountingAsync($"?{both}&state=Succeeded,Killed")).Items.Select(r => r.JobId));
        Assert.Equal([ok.Id, failed.Id], (await AccountingAsync($"?{both}&since={Iso(okEnd < failedEnd ? okEnd : failedEnd)}")).Items.Select(r => r.JobId));
        Assert.Empty((await AccountingAsync($"?{both}&since={Iso(DateTimeOffset.UtcNow.AddHours(1))}")).Items);
        Assert.Equal([ok.Id], (await AccountingAsync($"?job={ok.Id}&since={Iso(okEnd)}&until={Iso(okEnd.AddMilliseconds(1))}")).Items.Select(r => r.JobId));
        Assert.Empty((await AccountingAsync($"?job={ok.Id}&until={Iso(okEnd)}")).Items);
    }

    [Theory]
    [InlineData("state=pending", "state")]
    [InlineData("job=abc", "job")]
    [InlineData("since=yesterday", "since")]
    [InlineData("until=2026-13-01", "until")]
    [InlineData("since=2026-12-02&until=2026-12-01", "until")]
    [InlineData("limit=0", "limit")]
    [InlineData("offset=-1", "offset")]
    public async Task ABadFilter_Is400_NamingTheField(string query, string field)
    {
        using var response = await Api.Http.GetAsync($"/api/v1/accounting?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error named {field}: {problem.RootElement}");
    }
}
