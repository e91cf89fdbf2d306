using System.Net;
using System.Net.Http.Json;
using System.Text;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>A thin typed client of the REST API, as a script would use it.</summary>
public sealed class GoDockerApi(Uri baseUrl) : IDisposable
{
    public HttpClient Http { get; } = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<HealthView> HealthAsync() =>
        (await Http.GetFromJsonAsync("/api/v1/health", GoDockerJson.Default.HealthView))!;

    public async Task<JobView> SubmitAsync(JobSpec spec)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/jobs", spec, GoDockerJson.Default.JobSpec);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"submit refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
    }

    public async Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType = "application/json") =>
        await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public async Task<JobView> GetAsync(long id) =>
        (await Http.GetFromJsonAsync($"/api/v1/jobs/{id}", GoDockerJson.Default.JobView))!;

    public async Task<JobView> GetAsAsync(long id, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{id}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
    }

    public async Task<JobList> ListAsync(string query = "") =>
        (await Http.GetFromJsonAsync($"/api/v1/jobs{query}", GoDockerJson.Default.JobList))!;

    public async Task<JobView> KillAsync(long id)
    {
        using var response = await Http.PostAsync($"/api/v1/jobs/{id}/kill", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(GoDockerJson.Default.JobView))!;
    }

    public Task<string> StdoutAsync(long id) => Http.GetStringAsync($"/api/v1/jobs/{id}/stdout");

    public Task<string> StderrAsync(long id) => Http.GetStringAsync($"/api/v1/jobs/{id}/stderr");

    /// <summary>Polls until the job is in a terminal state (or <paramref name="timeout"/>).</summary>
    public Task<JobView> WaitEndAsync(long id, TimeSpan? timeout = null) =>
        WaitForAsync(id, j => j.State.IsTerminal(), timeout);

    public async Task<JobView> WaitForAsync(long id, Func<JobView, bool> condition, TimeSpan? timeout = null, string? token = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = token is null ? await GetAsync(id) : await GetAsAsync(id, token);
            if (condition(job))
            {
                return job;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"job {id} still {job.State} ({job.Reason}) after the timeout");
            }
            await Task.Delay(100);
        }
    }

    public void Dispose() => Http.Dispose();
}
