using System.Text;
using System.Text.Json;
using GoDocker.Cli.Submit;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Submit;

public sealed class SubmitWireTests
{
    public static TheoryData<JobSpec> Specs => new()
    {
        new JobSpec { Command = ["true"] },
        new JobSpec
        {
            Name = "align \"S1\"",
            Script = "#!/bin/bash\necho héllo\t$HOME\n",
            Image = "registry:5000/team/tool:1.2",
            Cpus = 0.25,
            Memory = "1.5GiB",
            Env = new Dictionary<string, string> { ["A"] = "1", ["QUOTE"] = "\"x\"" },
            Workdir = "/data",
            Tags = ["t1", "t2"],
            Project = "genomics",
            Walltime = "1-02:03:04",
            Labels = new Dictionary<string, string> { ["sample"] = "S1" },
            Root = true,
            Volumes = ["home", "data:ro"],
            Gpus = 2,
            Constraints = ["disk==ssd", "zone!=b"],
            Array = "1-100:2%10",
            Dependency = "afterok:12:13,afterany:20",
            Hold = true,
            Requeue = true,
            Network = "none",
            MailType = "END,FAIL",
            MailUser = "ana.b+jobs@example.org",
            Interactive = true,
            Stdout = "/data/it's a \"$(x)\"/%x-%A_%a.out",
            Stderr = "/data/%j.err",
        },
        new JobSpec { Command = ["true"], Gpus = 0, Hold = false, Requeue = false, Constraints = [] },
        new JobSpec { Command = ["sh", "-c", "echo a  b", ""], Tags = [] , Env = new Dictionary<string, string>() },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Encode_WritesWhatTheContractSerializerWrites(JobSpec spec)
    {
        var wire = SubmitWire.Encode(spec);

        // The server reads with the contract (unknown fields refused): the wire must parse back to the same spec.
        var parsed = JsonSerializer.Deserialize(wire, GoDockerJson.Default.JobSpec)!;
        Assert.Equal(
            JsonSerializer.Serialize(spec, GoDockerJson.Default.JobSpec),
            JsonSerializer.Serialize(parsed, GoDockerJson.Default.JobSpec));
    }

    /// <summary>The round trip above proves only the fields it is given: a field added to JobSpec must be added there (and to SubmitWire).</summary>
    [Fact]
    public void Specs_GiveEveryJobSpecField_SoTheRoundTripCoversThemAll()
    {
        var written = Specs.Cast<object[]>().Select(row => JsonSerializer.Serialize((JobSpec)row[0], GoDockerJson.Default.JobSpec)).ToList();

        var missing = GoDockerJson.Default.JobSpec.Properties
            .Select(p => p.Name)
            // JobSpec.Tes is [JsonIgnore]d (only the TES API sets it, never the wire), yet the generated metadata lists it.
            .Where(name => name != "tes")
            .Where(name => !written.Any(json => json.Contains($"\"{name}\":", StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void ReadId_TakesTheTopLevelId_NotANestedOne()
    {
        var body = """{"events":[{"id":99}],"labels":{"id":"7"},"id":42,"name":"x"}"""u8;

        Assert.Equal(42, SubmitWire.ReadId(body));
    }

    [Fact]
    public void ReadId_WithoutAnId_Throws()
    {
        Assert.Throws<JsonException>(() => SubmitWire.ReadId(Encoding.UTF8.GetBytes("""{"name":"x"}""")));
    }
}
