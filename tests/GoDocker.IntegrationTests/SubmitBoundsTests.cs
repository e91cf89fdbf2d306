using System.Net;
using System.Net.Http.Json;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// What a submit that the validator once let through does now: refused at submit naming the field (a walltime of
/// 5000000d, a trailing newline, an env value faking a GODOCKER_ line, a volume asked twice, a constraint the store
/// would split), on a site that bounds nothing itself; and what the configuration says is what it gets (a volume's
/// "RO" mode, an image allow-list that replaces the built-in one).
/// </summary>
public sealed class SubmitBoundsTests(SubmitBoundsTests.Fixture fixture) : IClassFixture<SubmitBoundsTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public string VolumeRoot { get; } = Directory.CreateTempSubdirectory("godocker-bounds-").FullName;
        public ServerProcess Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "scratch"));
            Directory.CreateDirectory(Path.Combine(VolumeRoot, "open"));
            // Writable by anyone: only the mount's mode may keep a job from writing there.
            File.SetUnixFileMode(Path.Combine(VolumeRoot, "scratch"), (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(Path.Combine(VolumeRoot, "open"), (UnixFileMode)0b111_111_111);
            // No Jobs:MaxWalltime, no Nodes bounds beyond the engine's: only GoDocker's own ceilings apply.
            Server = await ServerProcess.StartAsync(new Dictionary<string, string>
            {
                ["Volumes:0:Name"] = "scratch",
                ["Volumes:0:HostPath"] = Path.Combine(VolumeRoot, "scratch"),
                ["Volumes:0:ContainerPath"] = "/scratch",
                ["Volumes:0:AllowedRoot"] = VolumeRoot,
                // Not exactly "ro": it used to mount read-write.
                ["Volumes:0:Mode"] = "RO",
                ["Volumes:1:Name"] = "open",
                ["Volumes:1:HostPath"] = Path.Combine(VolumeRoot, "open"),
                ["Volumes:1:ContainerPath"] = "/open",
                ["Volumes:1:AllowedRoot"] = VolumeRoot,
                ["Images:Allowed:0"] = "debian:*",
            });
        }

        public async Task DisposeAsync()
        {
            await Server.DisposeAsync();
            Directory.Delete(VolumeRoot, recursive: true);
        }
    }

    private GoDockerApi Api => fixture.Server.Api;

    [Theory]
    [InlineData("""{"script": "sleep 300", "walltime": "5000000d"}""", "walltime")]
    [InlineData("""{"script": "sleep 300", "walltime": "366d"}""", "walltime")]
    [InlineData("""{"script": "echo", "memory": "8000000T"}""", "memory")]
    [InlineData("""{"script": "echo", "image": "godocker/busybox:latest\n"}""", "image")]
    [InlineData("""{"script": "echo", "image": "debian:bookwörm"}""", "image")]
    [InlineData("""{"script": "echo", "env": {"A": "x\nGODOCKER_OWNER=root"}}""", "env.A")]
    [InlineData("""{"script": "echo", "env": {"A\n": "x"}}""", "env.A\n")]
    [InlineData("""{"script": "echo", "tags": ["nightly\n"]}""", "tags")]
    [InlineData("""{"script": "echo", "labels": {"team\n": "x"}}""", "labels.team\n")]
    [InlineData("""{"script": "echo", "project": "default\n"}""", "project")]
    [InlineData("""{"script": "echo", "volumes": ["open", "open"]}""", "volumes")]
    [InlineData("""{"script": "echo", "volumes": ["open", "open:ro"]}""", "volumes")]
    [InlineData("""{"script": "echo", "constraints": ["disk==ssd;zone==b"]}""", "constraints")]
    public async Task ASubmitOnceAccepted_Is400_NamingTheField(string body, string field)
    {
        var before = (await Api.ListAsync("?limit=1")).Total;

        using var response = await Api.PostRawAsync("/api/v1/jobs", body);
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem!.Errors?.ContainsKey(field), $"expected an error on '{field}', got: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(before, (await Api.ListAsync("?limit=1")).Total);
    }

    [Fact]
    public async Task AfterA5000000dWalltimeIsRefused_TheSchedulerStillRunsJobs()
    {
        using var refused = await Api.PostRawAsync("/api/v1/jobs", """{"script": "sleep 300", "walltime": "5000000d"}""");
        var problem = await refused.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["walltime 5000000-00:00:00 is above the maximum 365-00:00:00"], problem!.Errors!["walltime"]);

        var longest = await Api.SubmitAsync(new JobSpec { Script = "echo longest", Walltime = "365d" });
        var job = await Api.SubmitAsync(new JobSpec { Script = "echo still-scheduling" });

        Assert.Equal(JobState.Succeeded, (await Api.WaitEndAsync(longest.Id)).State);
        Assert.Equal(JobState.Succeeded, (await Api.WaitEndAsync(job.Id)).State);
        Assert.Equal("still-scheduling\n", await Api.StdoutAsync(job.Id));
    }

    [Fact]
    public async Task AVolumeConfiguredRO_IsMountedReadOnly()
    {
        var job = await Api.SubmitAsync(new JobSpec { Script = "touch /scratch/planted && echo wrote", Volumes = ["scratch"] });

        var done = await Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Failed, done.State);
        Assert.Contains("Read-only file system", await Api.StderrAsync(job.Id), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.VolumeRoot, "scratch", "planted")));
    }

    [Fact]
    public async Task TheConfiguredImageAllowList_ReplacesTheBuiltInGodockerPattern()
    {
        using var response = await Api.PostRawAsync("/api/v1/jobs", """{"script": "echo", "image": "godocker/anything:1"}""");
        var problem = await response.Content.ReadFromJsonAsync(GoDockerJson.Default.Problem);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("image", problem!.Errors?.Keys ?? [], StringComparer.Ordinal);
    }
}
