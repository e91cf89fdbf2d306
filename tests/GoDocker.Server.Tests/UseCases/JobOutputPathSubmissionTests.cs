using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Server.UseCases;

namespace GoDocker.Server.Tests.UseCases;

/// <summary>
/// --stdout/--stderr once the mounts are known: in a volume the job mounts read-write, else a 400 naming the field,
/// like any other bad field, before anything is stored.
/// </summary>
public sealed class JobOutputPathSubmissionTests : UseCaseTest, IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("godocker-outputpath-").FullName;

    protected override IReadOnlyDictionary<string, string?> Configuration
    {
        get
        {
            Directory.CreateDirectory(Path.Combine(root, "data"));
            Directory.CreateDirectory(Path.Combine(root, "refs"));
            return new Dictionary<string, string?>
            {
                ["Volumes:0:Name"] = "data",
                ["Volumes:0:HostPath"] = Path.Combine(root, "data"),
                ["Volumes:0:ContainerPath"] = "/data",
                ["Volumes:0:AllowedRoot"] = root,
                ["Volumes:1:Name"] = "refs",
                ["Volumes:1:HostPath"] = Path.Combine(root, "refs"),
                ["Volumes:1:ContainerPath"] = "/refs",
                ["Volumes:1:Mode"] = "ro",
                ["Volumes:1:AllowedRoot"] = root,
            };
        }
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string, JobSpec, string> Refused() => new()
    {
        { "stdout in no volume", ASpec() with { Volumes = ["data"], Stdout = "/tmp/x.out" }, "stdout" },
        { "stdout with no volume asked for", ASpec() with { Stdout = "/data/x.out" }, "stdout" },
        { "stdout in a volume asked :ro", ASpec() with { Volumes = ["data:ro"], Stdout = "/data/x.out" }, "stdout" },
        { "stdout in a read-only volume", ASpec() with { Volumes = ["data", "refs"], Stdout = "/refs/x.out" }, "stdout" },
        { "stdout the volume's own folder", ASpec() with { Volumes = ["data"], Stdout = "/data" }, "stdout" },
        { "stderr in no volume", ASpec() with { Volumes = ["data"], Stderr = "/home/x.err" }, "stderr" },
        { "stderr in a read-only volume", ASpec() with { Volumes = ["refs"], Stderr = "/refs/x.err" }, "stderr" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AnOutputPathOutsideAWritableMountedVolume_IsInvalid_NamingTheField_AndStoresNothing(string because, JobSpec spec, string field)
    {
        var outcome = await Submission().SubmitAsync(Alice, spec, null, Ct);

        var invalid = Assert.IsType<SubmitOutcome.Invalid>(outcome);
        Assert.True(invalid.Errors.Keys.SequenceEqual([field]), because);
        Assert.Contains(spec.Stdout ?? spec.Stderr!, Assert.Single(invalid.Errors[field]), StringComparison.Ordinal);
        Assert.Equal(0, (await Store.ListAsync(new JobQuery { Limit = 0 }, Ct)).Total);
    }

    [Fact]
    public async Task AnOutputPathInAWritableVolume_IsStored_AsThePatternGiven()
    {
        var job = await SubmittedAsync(Alice, ASpec() with { Volumes = ["data", "refs"], Stdout = "/data/out/%j.out", Stderr = "/data/%x.err" });

        Assert.Equal(("/data/out/%j.out", "/data/%x.err"), (job.Spec.Stdout, job.Spec.Stderr));
        var stored = await GetAsync(job.Id);
        Assert.Equal(("/data/out/%j.out", "/data/%x.err"), (stored.Spec.Stdout, stored.Spec.Stderr));
        var view = GoDocker.Contracts.JobView.From(stored);
        Assert.Equal(($"/data/out/{job.Id}.out", "/data/job.err"), (view.Stdout, view.Stderr));
    }
}
