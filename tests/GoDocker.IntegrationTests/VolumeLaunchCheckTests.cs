using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// A volume's folder is checked at submit and mounted at launch: between the two its owner can swap it for a
/// symlink to a folder they may not mount. These tests do that and look for the target's marker from inside the job.
/// </summary>
public sealed class VolumeLaunchCheckTests : IAsyncLifetime
{
    private const string Secret = "host-secret-7f3a";
    private readonly string root = Directory.CreateTempSubdirectory("godocker-volumes-").FullName;
    private ServerProcess server = null!;

    private string Granted => Path.Combine(root, "allowed", "granted");
    private string Aside => Path.Combine(root, "allowed", "granted.aside");
    // Outside the volume's allowed root: what the attacker wants mounted (as /etc would be).
    private string Target => Path.Combine(root, "outside");

    public async Task InitializeAsync()
    {
        // Jobs of the no-authentication mode run as nobody: the folder is open to it, as a user's own would be.
        Directory.CreateDirectory(Granted);
        File.SetUnixFileMode(Granted, (UnixFileMode)0b111_111_111);
        await File.WriteAllTextAsync(Path.Combine(Granted, "ok"), "granted\n");
        Directory.CreateDirectory(Target);
        await File.WriteAllTextAsync(Path.Combine(Target, "marker"), Secret + "\n");
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Volumes:0:Name"] = "data",
            ["Volumes:0:HostPath"] = Granted,
            ["Volumes:0:ContainerPath"] = "/data",
            ["Volumes:0:AllowedRoot"] = Path.Combine(root, "allowed"),
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task GrantedFolderSwappedForASymlinkWhileHeld_IsRefusedAtLaunch_AndTheJobNeverSeesTheTarget()
    {
        var job = await server.Api.SubmitAsync(new JobSpec { Script = "cat /data/marker /data/ok", Volumes = ["data"], Hold = true });
        Directory.Move(Granted, Aside);
        Directory.CreateSymbolicLink(Granted, Target);

        using var released = await server.Api.PostRawAsync($"/api/v1/jobs/{job.Id}/release", "");
        released.EnsureSuccessStatusCode();
        var done = await server.Api.WaitEndAsync(job.Id);

        Assert.DoesNotContain(Secret, await server.Api.StdoutAsync(job.Id), StringComparison.Ordinal);
        Assert.Equal(JobState.Failed, done.State);
        Assert.StartsWith("refused at launch: volume 'data': ", done.Reason, StringComparison.Ordinal);
        Assert.Contains("is a symlink or not a folder", done.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantedFolderSwappedBackAndForthDuringLaunches_NeverMountsTheTarget()
    {
        const int Jobs = 24;
        // Submitted held while the folder is the granted one (submit checks it too), released during the swaps.
        var jobs = new List<JobView>();
        for (var i = 0; i < Jobs; i++)
        {
            jobs.Add(await server.Api.SubmitAsync(new JobSpec { Script = "cat /data/marker /data/ok", Volumes = ["data"], Hold = true }));
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var swaps = 0;
        // The attacker: the granted folder and a symlink to the target take turns under the granted name.
        var swapper = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Directory.Move(Granted, Aside);
                Directory.CreateSymbolicLink(Granted, Target);
                await Task.Delay(Random.Shared.Next(0, 15));
                File.Delete(Granted);
                Directory.Move(Aside, Granted);
                await Task.Delay(Random.Shared.Next(0, 15));
                swaps++;
            }
        });
        foreach (var job in jobs)
        {
            using var released = await server.Api.PostRawAsync($"/api/v1/jobs/{job.Id}/release", "");
            released.EnsureSuccessStatusCode();
            await Task.Delay(Random.Shared.Next(0, 20));
        }
        var ends = new List<(JobView Job, string Stdout)>();
        foreach (var job in jobs)
        {
            var done = await server.Api.WaitEndAsync(job.Id, TimeSpan.FromMinutes(2));
            ends.Add((done, await server.Api.StdoutAsync(job.Id)));
        }
        await stop.CancelAsync();
        await swapper;

        Assert.All(ends, end => Assert.DoesNotContain(Secret, end.Stdout, StringComparison.Ordinal));
        // Every job either ran on the granted folder or was refused at launch; none on anything else.
        Assert.All(ends, end => Assert.True(
            end.Stdout.Contains("granted", StringComparison.Ordinal) || (end.Job.Reason ?? "").StartsWith("refused at launch: volume 'data'", StringComparison.Ordinal),
            $"job {end.Job.Id}: {end.Job.State} '{end.Job.Reason}', stdout '{end.Stdout}'"));
        Assert.True(swaps > 0, "the swapper never ran");
    }

    [Fact]
    public async Task GrantedFolderUntouched_IsMountedAsChecked_AndNoStagingMountIsLeftBehind()
    {
        // It runs until its container is inspected (released after), however long a loaded machine takes.
        var job = await server.Api.SubmitAsync(new JobSpec { Script = $"cat /data/ok && echo written > /data/by-job && {JobRelease.WaitFor()}", Volumes = ["data"] });
        await server.Api.WaitForAsync(job.Id, j => j.State == JobState.Running);
        var container = await DockerEngine.Client.Containers.InspectContainerAsync(Assert.Single(await DockerEngine.ContainersOfAsync(server.InstanceId!, job.Id)).ID);
        await JobRelease.DropAsync(server, job.Id);
        var done = await server.Api.WaitEndAsync(job.Id);

        // The engine bound the staging mount of the checked folder's descriptor, not the folder's name.
        Assert.StartsWith(Path.Combine(server.DataDir, "volumes") + "/", container.Mounts.Single(m => m.Destination == "/data").Source, StringComparison.Ordinal);
        Assert.DoesNotContain("could not stage", server.Log, StringComparison.Ordinal);

        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.Reason}; stderr: {await server.Api.StderrAsync(job.Id)}");
        Assert.Equal("granted\n", await server.Api.StdoutAsync(job.Id));
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(Granted, "by-job")));
        var mounts = await File.ReadAllTextAsync("/proc/self/mountinfo");
        Assert.DoesNotContain(Path.Combine(server.DataDir, "volumes"), mounts, StringComparison.Ordinal);
    }
}
