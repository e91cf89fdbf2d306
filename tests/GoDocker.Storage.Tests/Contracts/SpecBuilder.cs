using GoDocker.Jobs;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>A resolved spec of 1 cpu and 1 GiB in project "default": <c>ASpec().Cpus(2).Mem("4G").Tags("gpu")</c>.</summary>
public sealed class SpecBuilder
{
    private double cpus = 1;
    private long memoryBytes = 1L << 30;
    private string project = "default";
    private string name = "job";
    private string[] tags = [];

    public static SpecBuilder ASpec() => new();

    public SpecBuilder Cpus(double value) { cpus = value; return this; }
    public SpecBuilder Mem(string size)
    {
        memoryBytes = ByteSize.TryParse(size, out var bytes) ? bytes : throw new ArgumentException($"not a size: {size}", nameof(size));
        return this;
    }
    public SpecBuilder Project(string value) { project = value; return this; }
    public SpecBuilder Name(string value) { name = value; return this; }
    public SpecBuilder Tags(params string[] values) { tags = values; return this; }

    public ResolvedJobSpec Build() => new()
    {
        Name = name,
        Command = ["sh", "-c", "echo hello"],
        Image = "debian:bookworm",
        Cpus = cpus,
        MemoryBytes = memoryBytes,
        Project = project,
        Tags = tags,
        Env = new Dictionary<string, string> { ["GREETING"] = "hello" },
        Labels = new Dictionary<string, string> { ["team"] = "astro" },
        WalltimeSeconds = 3600,
        Workdir = "/data",
    };
}
