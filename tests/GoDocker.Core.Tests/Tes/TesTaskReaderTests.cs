using GoDocker.Access;
using GoDocker.Contracts.Tes;
using GoDocker.Tes;

namespace GoDocker.Core.Tests.Tes;

/// <summary>How a TES task becomes one job: URLs to container paths in granted volumes, scratch directories, resources, refusals by TES field.</summary>
public sealed class TesTaskReaderTests
{
    private static readonly Mount[] Volumes =
    [
        new("data", "/shared/alice", "/data", ReadOnly: false),
        new("ref", "/refdata", "/ref", ReadOnly: true),
        new("nested", "/shared/alice/big", "/big", ReadOnly: false),
    ];

    private static TesExecutor Busybox(params string[] command) => new() { Image = "godocker/busybox:latest", Command = command };

    private static TesRead Read(TesTask task) => TesTaskReader.Read(task, Volumes, new TesLimits { MaxJobDirectoryBytes = 10L << 30 });

    [Fact]
    public void Urls_BecomeContainerPathsInTheVolumeHoldingThem_TheLongestHostPathWinning()
    {
        var read = Read(new TesTask
        {
            Inputs =
            [
                new() { Url = "file:///shared/alice/in/a.txt", Path = "/work/a.txt" },
                new() { Url = "/refdata/genome.fa", Path = "/work/genome.fa", Streamable = true },
                new() { Url = "file:///shared/alice/big/reads%20one.fq", Path = "/work/reads.fq" },
            ],
            Outputs = [new() { Url = "file:///shared/alice/out/", Path = "/work/out", Type = "DIRECTORY" }],
            Executors = [Busybox("true")],
        });

        Assert.True(read.IsValid, string.Join("; ", read.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        Assert.Equal(["/data/in/a.txt", "/ref/genome.fa", "/big/reads one.fq"], read.Plan!.Inputs.Select(i => i.Source));
        Assert.True(read.Plan.Inputs[1].Link);
        var output = Assert.Single(read.Plan.Outputs);
        Assert.Equal(("/data/out", "file:///shared/alice/out"), (output.Destination, output.Url));
        // Read-only where only read, read-write where written.
        Assert.Equal(["data:rw", "ref:ro", "nested:ro"], read.Spec!.Volumes);
        Assert.Equal(["/work"], read.Spec.Tes!.Scratch);
        Assert.Equal("outputs[0].url", read.VolumeFields["data"]);
    }

    [Fact]
    public void Resources_BecomeTheJobs_RamInGiB_OneZoneAConstraint()
    {
        var read = Read(new TesTask
        {
            Name = "align",
            Resources = new() { CpuCores = 2, RamGb = 0.0625, DiskGb = 1, Zones = ["eu-1"], Preemptible = true },
            Tags = new Dictionary<string, string> { ["run"] = "7" },
            Executors = [Busybox("true")],
        });

        var spec = read.Spec!;
        Assert.Equal((2.0, "64M", "align"), (spec.Cpus!.Value, spec.Memory, spec.Name));
        Assert.Equal(["zone==eu-1"], spec.Constraints);
        Assert.Equal("7", spec.Labels!["run"]);
    }

    [Fact]
    public void BackendParameters_KeysIgnoreCase_UnknownOnesWarnOrFailWhenStrict()
    {
        var lenient = Read(new TesTask
        {
            Resources = new() { BackendParameters = new Dictionary<string, string> { ["WallTime"] = "1h", ["Gpus"] = "1", ["VmSize"] = "x", ["volumes"] = "ref:ro,data" } },
            Executors = [Busybox("true")],
        });
        var strict = Read(new TesTask
        {
            Resources = new() { BackendParameters = new Dictionary<string, string> { ["VmSize"] = "x" }, BackendParametersStrict = true },
            Executors = [Busybox("true")],
        });

        Assert.Equal(("1h", 1), (lenient.Spec!.Walltime, lenient.Spec.Gpus!.Value));
        Assert.Equal(["ref:ro", "data:ro"], lenient.Spec.Volumes);
        Assert.Contains("'VmSize' is not supported", Assert.Single(lenient.Spec.Tes!.Warnings), StringComparison.Ordinal);
        Assert.Equal(["gpus", "volumes", "walltime"], lenient.Spec.Tes.Task.Resources!.BackendParameters!.Keys.Order());
        Assert.Equal(["resources.backend_parameters.VmSize"], strict.Errors.Keys);
    }

    [Fact]
    public void ScratchDirectories_AreTheOutermost_AndNeverInsideAMountedVolume()
    {
        var read = Read(new TesTask
        {
            Inputs = [new() { Content = "x", Path = "/work/a/b/c.txt" }, new() { Url = "/shared/alice/x", Path = "/data/x" }],
            Outputs = [new() { Url = "/shared/alice/o", Path = "/work/a/out.txt" }, new() { Url = "/shared/alice/csv", Path = "/results/many/*.csv", PathPrefix = "/results/many/" }],
            Volumes = ["/vol/shared"],
            Executors = [new() { Image = "godocker/busybox:latest", Command = ["true"], Workdir = "/work", Stdout = "/logs/out.txt" }],
        });

        Assert.True(read.IsValid, string.Join("; ", read.Errors.Keys));
        Assert.Equal(["/logs", "/results/many", "/vol/shared", "/work"], read.Spec!.Tes!.Scratch.Order());
        Assert.Equal("/results/many", read.Plan!.Outputs[1].PathPrefix);
    }

    public static TheoryData<string, TesTask> Refusals() => new()
    {
        { "executors", new TesTask() },
        { "executors[0].command", new TesTask { Executors = [Busybox()] } },
        { "executors[0].command", new TesTask { Executors = [Busybox("-rf")] } },
        { "executors[1].image", new TesTask { Executors = [Busybox("true"), new() { Image = "debian:12", Command = ["true"] }] } },
        { "executors[0].env.GODOCKER_X", new TesTask { Executors = [Busybox("true") with { Env = new Dictionary<string, string> { ["GODOCKER_X"] = "1" } }] } },
        { "executors[0].env.1A", new TesTask { Executors = [Busybox("true") with { Env = new Dictionary<string, string> { ["1A"] = "1" } }] } },
        { "executors[0].stdout", new TesTask { Executors = [Busybox("true") with { Stdout = "out.txt" }] } },
        { "executors[0].workdir", new TesTask { Executors = [Busybox("true") with { Workdir = "/godocker/job" }] } },
        { "inputs[0].url", new TesTask { Inputs = [new() { Url = "s3://b/k", Path = "/in/k" }], Executors = [Busybox("true")] } },
        { "inputs[0].url", new TesTask { Inputs = [new() { Url = "file:///shared/bob/x", Path = "/in/x" }], Executors = [Busybox("true")] } },
        { "inputs[0].url", new TesTask { Inputs = [new() { Url = "file:///shared/alice/../bob/x", Path = "/in/x" }], Executors = [Busybox("true")] } },
        { "inputs[0].url", new TesTask { Inputs = [new() { Url = "file://otherhost/shared/alice/x", Path = "/in/x" }], Executors = [Busybox("true")] } },
        { "inputs[0].path", new TesTask { Inputs = [new() { Content = "x", Path = "/sys/x" }], Executors = [Busybox("true")] } },
        { "inputs[0].path", new TesTask { Inputs = [new() { Content = "x", Path = "/in//x" }], Executors = [Busybox("true")] } },
        { "inputs[0].path", new TesTask { Inputs = [new() { Content = "x" }], Executors = [Busybox("true")] } },
        { "inputs[0].type", new TesTask { Inputs = [new() { Content = "x", Path = "/in/x", Type = "LINK" }], Executors = [Busybox("true")] } },
        { "outputs[0].url", new TesTask { Outputs = [new() { Url = "/refdata/x", Path = "/out/x" }], Executors = [Busybox("true")] } },
        { "outputs[0].path_prefix", new TesTask { Outputs = [new() { Url = "/shared/alice/x", Path = "/out/*.txt" }], Executors = [Busybox("true")] } },
        { "outputs[0].path_prefix", new TesTask { Outputs = [new() { Url = "/shared/alice/x", Path = "/out/*.txt", PathPrefix = "/other/" }], Executors = [Busybox("true")] } },
        { "resources.cpu_cores", new TesTask { Resources = new() { CpuCores = 0 }, Executors = [Busybox("true")] } },
        { "resources.ram_gb", new TesTask { Resources = new() { RamGb = 0 }, Executors = [Busybox("true")] } },
        { "resources.disk_gb", new TesTask { Resources = new() { DiskGb = 11 }, Executors = [Busybox("true")] } },
        { "resources.zones", new TesTask { Resources = new() { Zones = ["a", "b"] }, Executors = [Busybox("true")] } },
        { "resources.backend_parameters.gpus", new TesTask { Resources = new() { BackendParameters = new Dictionary<string, string> { ["gpus"] = "two" } }, Executors = [Busybox("true")] } },
        { "tags.godocker.x", new TesTask { Tags = new Dictionary<string, string> { ["godocker.x"] = "1" }, Executors = [Busybox("true")] } },
        { "volumes", new TesTask { Volumes = ["relative"], Executors = [Busybox("true")] } },
        // A scratch directory over a mounted volume would hide it.
        { "volumes", new TesTask { Inputs = [new() { Url = "/shared/alice/x", Path = "/in/x" }], Volumes = ["/"], Executors = [Busybox("true")] } },
        { "inputs", new TesTask { Inputs = [new() { Content = new string('x', 600 * 1024), Path = "/in/x" }], Executors = [Busybox("true")] } },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ABadTask_IsRefused_NamingTheTesField(string field, TesTask task)
    {
        var read = Read(task);

        Assert.False(read.IsValid);
        Assert.Contains(field, read.Errors.Keys);
        Assert.Null(read.Spec);
    }

    [Fact]
    public void WhatTheTaskSends_ReadOnlyMembersIncluded_IsKeptWithoutThem()
    {
        var read = Read(new TesTask { Id = "forged", State = TesState.Complete, CreationTime = "2000-01-01T00:00:00Z", Logs = [], Executors = [Busybox("true")] });

        var kept = read.Spec!.Tes!.Task;
        Assert.Null(kept.Id);
        Assert.Null(kept.State);
        Assert.Null(kept.Logs);
        Assert.Null(kept.CreationTime);
        Assert.Equal(TesTaskReader.DefaultName, read.Spec.Name);
    }
}
