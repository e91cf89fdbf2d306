using System.Diagnostics;
using GoDocker.Jobs;

namespace GoDocker.Drmaa.Tests;

public sealed class JobComposerTests
{
    private static JobSpec Compose(Dictionary<string, string> scalars, Dictionary<string, string[]>? vectors = null, BulkRange? bulk = null) =>
        JobComposer.Compose(scalars, vectors ?? [], bulk, NativeSpecification.Read, "/home/alice");

    private static DrmaaError Code(Action action) => Assert.Throws<DrmaaException>(action).Code;

    [Fact]
    public void ACommandWithArguments_IsTheJobsArgv_NoShell()
    {
        var spec = Compose(new() { [JobTemplate.RemoteCommand] = "/bin/echo", [JobTemplate.JobName] = "hello" }, new() { [JobTemplate.Argv] = ["a b", "$HOME"] });

        Assert.Equal(["/bin/echo", "a b", "$HOME"], spec.Command!);
        Assert.Null(spec.Script);
        Assert.Equal("hello", spec.Name);
    }

    [Fact]
    public void NativeSpecification_IsReadAsSubmitFlags_AndTheTemplateWinsWhereBothSpeak()
    {
        var spec = Compose(new()
        {
            [JobTemplate.RemoteCommand] = "true",
            [JobTemplate.NativeSpecification] = "--cpus 2 --mem 4G --image 'debian:12' --volume data -p bio -J native --time 10 --chdir /data -e A=1 -e B=2",
            [JobTemplate.JobName] = "template",
            [JobTemplate.WallClockHardLimit] = "1:00:00",
            [JobTemplate.WorkingDirectory] = "$drmaa_hd_ph$/work",
            [JobTemplate.JobSubmissionState] = JobTemplate.Hold,
        }, new() { [JobTemplate.Environment] = ["B=template", "C=3"] });

        Assert.Equal(2, spec.Cpus);
        Assert.Equal("4G", spec.Memory);
        Assert.Equal("debian:12", spec.Image);
        Assert.Equal(["data"], spec.Volumes!);
        Assert.Equal("bio", spec.Project);
        Assert.Equal("template", spec.Name);
        Assert.Equal("3600s", spec.Walltime);
        Assert.Equal("/home/alice/work", spec.Workdir);
        Assert.True(spec.Hold);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "template", ["C"] = "3" }, spec.Env);
    }

    [Theory]
    [InlineData("--cpus two", "--cpus")]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--parsable", "--parsable")]
    [InlineData("script.sh", "script.sh")]
    [InlineData("-- true", "not a command")]
    public void ABadNativeSpecification_IsAnInvalidValue_NamingTheWord(string native, string named)
    {
        var e = Assert.Throws<DrmaaException>(() => Compose(new() { [JobTemplate.RemoteCommand] = "true", [JobTemplate.NativeSpecification] = native }));

        Assert.Equal(DrmaaError.InvalidAttributeValue, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(JobTemplate.NativeSpecification, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRemoteCommand_IsRefused() =>
        Assert.Equal(DrmaaError.InvalidAttributeValue, Code(() => Compose([])));

    [Fact]
    public void Bulk_IsAnArray_WithTheIndexFromTheTasksVariable()
    {
        var spec = Compose(new() { [JobTemplate.RemoteCommand] = "/bin/echo" }, new() { [JobTemplate.Argv] = ["in-$drmaa_incr_ph$.txt"] }, new BulkRange(1, 9, 2));

        Assert.Equal("1-9:2", spec.Array);
        Assert.Null(spec.Command);
        Assert.Equal("#!/bin/sh\nexec /bin/echo in-\"${GODOCKER_TASK_ID}\".txt\n", spec.Script);
    }

    [Fact]
    public void OutputAndErrorPaths_AreTheServersPatterns_PercentEscaped_IndexAsTaskId_JoinUsesOneFile()
    {
        var spec = Compose(new()
        {
            [JobTemplate.RemoteCommand] = "true",
            [JobTemplate.WorkingDirectory] = "/data/run",
            [JobTemplate.OutputPath] = "host:$drmaa_wd_ph$/out.$drmaa_incr_ph$.100%",
            [JobTemplate.ErrorPath] = ":err.txt",
        }, bulk: new BulkRange(1, 2, 1));
        var joined = Compose(new()
        {
            [JobTemplate.RemoteCommand] = "true",
            [JobTemplate.OutputPath] = ":/data/all.log",
            [JobTemplate.ErrorPath] = ":/data/ignored.log",
            [JobTemplate.JoinFiles] = "y",
        });

        Assert.Equal("/data/run/out.%a.100%%", spec.Stdout);
        Assert.Equal("/data/run/err.txt", spec.Stderr);
        Assert.Equal("/data/all.log", joined.Stdout);
        Assert.Equal("/data/all.log", joined.Stderr);
    }

    [Fact]
    public void TheWorkingDirectoryPlaceholder_NeedsAWorkingDirectory() =>
        Assert.Equal(DrmaaError.ConflictingAttributeValues,
            Code(() => Compose(new() { [JobTemplate.RemoteCommand] = "true", [JobTemplate.OutputPath] = ":$drmaa_wd_ph$/out" })));

    [Fact]
    public void ArrayInTheNativeSpecification_Conflicts_WithBulkJobs() =>
        Assert.Equal(DrmaaError.ConflictingAttributeValues,
            Code(() => Compose(new() { [JobTemplate.RemoteCommand] = "true", [JobTemplate.NativeSpecification] = "--array 1-3" })));

    /// <summary>The script runs in a real sh: every word arrives as given, however it is quoted, with the index spliced in.</summary>
    [Fact]
    public async Task TheScript_PassesEveryWordIntact_ToARealShell()
    {
        string[] words = ["it's", "a \"b\" $(id) `id` ${HOME}", "x-$drmaa_incr_ph$-$drmaa_incr_ph$", "", "*", "\\n"];
        var input = Path.GetTempFileName();
        await File.WriteAllTextAsync(input, "from stdin\n");
        try
        {
            var script = JobComposer.Script(["/bin/sh", "-c", "printf '[%s]\\n' \"$@\"; cat; echo \"$V\"", "sh", .. words],
                [KeyValuePair.Create("V", "v$drmaa_incr_ph$ '$(id)'")], input);
            var info = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, Environment = { ["GODOCKER_TASK_ID"] = "42" } };
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.Equal(
                "[it's]\n[a \"b\" $(id) `id` ${HOME}]\n[x-42-42]\n[]\n[*]\n[\\n]\nfrom stdin\nv42 '$(id)'\n",
                output);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
