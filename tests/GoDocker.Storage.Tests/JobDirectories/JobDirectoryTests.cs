using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Storage.Tests.JobDirectories;

public sealed class JobDirectoryTests : IDisposable
{
    private const long JobId = 42;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempDirectory temp = new();
    private readonly JobDirectory jobs;

    public JobDirectoryTests()
    {
        Directory.CreateDirectory(temp.Combine("jobs"));
        jobs = new JobDirectory(temp.Combine("jobs"));
    }

    public void Dispose() => temp.Dispose();

    private static ResolvedJobSpec Spec(string? script) => new()
    {
        Name = "job",
        Script = script,
        Command = script is null ? ["true"] : null,
        Image = "debian:latest",
        Cpus = 1,
        MemoryBytes = 1L << 30,
        Project = "default",
    };

    private string JobPath(params string[] parts) => Path.Combine([jobs.PathFor(JobId), .. parts]);

    [Theory]
    [InlineData("echo hi", "#!/bin/sh\necho hi\n")]
    [InlineData("echo hi\n", "#!/bin/sh\necho hi\n")]
    [InlineData("#!/bin/bash\necho hi\n", "#!/bin/bash\necho hi\n")]
    [InlineData("#!/usr/bin/env python3\nprint(1)", "#!/usr/bin/env python3\nprint(1)\n")]
    [InlineData("# comment, not a shebang\necho hi\n", "#!/bin/sh\n# comment, not a shebang\necho hi\n")]
    public async Task Prepare_WritesTheScript_WithAShebangWhenMissing(string script, string expected)
    {
        var dir = await jobs.PrepareAsync(JobId, Spec(script), Ct);

        Assert.Equal(jobs.PathFor(JobId), dir);
        Assert.Equal(expected, await File.ReadAllTextAsync(JobPath(JobDirectory.ScriptFile), Ct));
    }

    [Fact]
    public async Task Prepare_LeavesEverything_ToItsOwnerAlone()
    {
        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);

        const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(OwnerAll, File.GetUnixFileMode(jobs.PathFor(JobId)));
        Assert.Equal(OwnerAll, File.GetUnixFileMode(JobPath(JobDirectory.ScriptFile)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(JobPath(JobDirectory.StdoutFile)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(JobPath(JobDirectory.StderrFile)));
    }

    [Fact]
    public async Task Prepare_CreatesEmptyOutputFiles()
    {
        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);

        Assert.Equal(0, new FileInfo(JobPath(JobDirectory.StdoutFile)).Length);
        Assert.Equal(0, new FileInfo(JobPath(JobDirectory.StderrFile)).Length);
    }

    [Fact]
    public async Task Prepare_ForACommand_WritesNoScript()
    {
        await jobs.PrepareAsync(JobId, Spec(null), Ct);

        Assert.False(File.Exists(JobPath(JobDirectory.ScriptFile)));
        Assert.True(File.Exists(JobPath(JobDirectory.StdoutFile)));
        Assert.True(File.Exists(JobPath(JobDirectory.StderrFile)));
    }

    [Fact]
    public async Task Prepare_IsIdempotent_AndKeepsWhatAPreviousAttemptWrote()
    {
        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);
        await File.WriteAllTextAsync(JobPath(JobDirectory.StdoutFile), "attempt 1 output\n", Ct);
        await File.WriteAllTextAsync(JobPath(JobDirectory.StderrFile), "attempt 1 error\n", Ct);
        await File.WriteAllTextAsync(JobPath("result.csv"), "a,b\n", Ct);

        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);

        Assert.Equal("attempt 1 output\n", await File.ReadAllTextAsync(JobPath(JobDirectory.StdoutFile), Ct));
        Assert.Equal("attempt 1 error\n", await File.ReadAllTextAsync(JobPath(JobDirectory.StderrFile), Ct));
        Assert.Equal("a,b\n", await File.ReadAllTextAsync(JobPath("result.csv"), Ct));
        Assert.Equal("#!/bin/sh\necho hi\n", await File.ReadAllTextAsync(JobPath(JobDirectory.ScriptFile), Ct));
    }

    [Fact]
    public async Task Delete_RemovesTheFolder_AndToleratesItsAbsence()
    {
        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);

        jobs.Delete(JobId);
        jobs.Delete(JobId);

        Assert.False(Directory.Exists(jobs.PathFor(JobId)));
    }

    /// <summary>
    /// job 42: job.sh, stdout, stderr, sub/data.txt, and outside the jobs root: outside/secret.txt.
    /// </summary>
    private async Task SeedAsync()
    {
        await jobs.PrepareAsync(JobId, Spec("echo hi"), Ct);
        Directory.CreateDirectory(JobPath("sub"));
        await File.WriteAllTextAsync(JobPath("sub", "data.txt"), "data", Ct);
        Directory.CreateDirectory(temp.Combine("outside"));
        await File.WriteAllTextAsync(temp.Combine("outside", "secret.txt"), "secret", Ct);
    }

    [Theory]
    [InlineData("job.sh", "job.sh")]
    [InlineData("./job.sh", "job.sh")]
    [InlineData("sub/data.txt", "sub/data.txt")]
    [InlineData("sub//data.txt", "sub/data.txt")]
    [InlineData("sub\\data.txt", "sub/data.txt")]
    public async Task Resolve_FindsAFileInTheJobFolder(string asked, string expected)
    {
        await SeedAsync();

        var found = jobs.Resolve(JobId, asked, out var refusal, out var kind);

        var file = Assert.IsType<FileInfo>(found);
        Assert.Equal(JobPath(expected.Split('/')), file.FullName);
        Assert.Null(refusal);
        Assert.Equal(PathRefusal.None, kind);
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("sub/")]
    public async Task Resolve_FindsASubFolder(string asked)
    {
        await SeedAsync();

        var found = jobs.Resolve(JobId, asked, out _, out var kind);

        Assert.Equal(JobPath("sub"), Assert.IsType<DirectoryInfo>(found).FullName);
        Assert.Equal(PathRefusal.None, kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    public async Task Resolve_OfNothing_IsTheJobFolderItself(string? asked)
    {
        await SeedAsync();

        var found = jobs.Resolve(JobId, asked, out _, out _);

        Assert.Equal(jobs.PathFor(JobId), Assert.IsType<DirectoryInfo>(found).FullName);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("sub/../../outside/secret.txt")]
    [InlineData("sub/../job.sh")]              // even when it would stay inside
    [InlineData("..\\outside\\secret.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("\\etc\\passwd")]
    [InlineData("job.sh\0")]
    public async Task Resolve_RefusesAbsolutePathsAndDotDot_AsInvalid(string asked)
    {
        await SeedAsync();

        var found = jobs.Resolve(JobId, asked, out var refusal, out var kind);

        Assert.Null(found);
        Assert.Equal(PathRefusal.Invalid, kind);
        Assert.False(string.IsNullOrWhiteSpace(refusal));
    }

    [Fact]
    public async Task Resolve_RefusesASymlinkToAFileOutside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("passwd"), "/etc/passwd");

        Assert.Null(jobs.Resolve(JobId, "passwd", out _, out var kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
    }

    [Fact]
    public async Task Resolve_RefusesAFileUnderASymlinkedFolderOutside()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("out"), temp.Combine("outside"));

        Assert.Null(jobs.Resolve(JobId, "out/secret.txt", out _, out var kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
        Assert.Null(jobs.Resolve(JobId, "out", out _, out kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
    }

    [Fact]
    public async Task Resolve_RefusesARelativeSymlinkThatClimbsOut()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("sub", "up"), "../../../outside");

        Assert.Null(jobs.Resolve(JobId, "sub/up/secret.txt", out _, out var kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
    }

    [Fact]
    public async Task Resolve_RefusesAChainOfSymlinksThatEndsOutside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("hop2"), temp.Combine("outside", "secret.txt"));
        File.CreateSymbolicLink(JobPath("hop1"), "hop2");

        Assert.Null(jobs.Resolve(JobId, "hop1", out _, out var kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
    }

    [Fact]
    public async Task Resolve_RefusesASymlinkIntoAnotherJobsFolder()
    {
        await SeedAsync();
        await jobs.PrepareAsync(43, Spec("echo other"), Ct);
        File.CreateSymbolicLink(JobPath("theirs"), Path.Combine(jobs.PathFor(43), JobDirectory.ScriptFile));

        Assert.Null(jobs.Resolve(JobId, "theirs", out _, out var kind));
        Assert.Equal(PathRefusal.OutsideJobDirectory, kind);
    }

    [Fact]
    public async Task Resolve_FollowsASymlinkToAFileInside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("latest"), "sub/data.txt");

        var found = jobs.Resolve(JobId, "latest", out _, out var kind);

        Assert.Equal(PathRefusal.None, kind);
        Assert.Equal(JobPath("sub", "data.txt"), Assert.IsType<FileInfo>(found).FullName);
    }

    [Fact]
    public async Task Resolve_FollowsASymlinkedFolderInside()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("results"), JobPath("sub"));

        var found = jobs.Resolve(JobId, "results/data.txt", out _, out var kind);

        Assert.Equal(PathRefusal.None, kind);
        Assert.Equal(JobPath("sub", "data.txt"), Assert.IsType<FileInfo>(found).FullName);
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("sub/missing.txt")]
    [InlineData("missing/data.txt")]
    public async Task Resolve_OfAMissingFile_IsNotFound(string asked)
    {
        await SeedAsync();

        Assert.Null(jobs.Resolve(JobId, asked, out var refusal, out var kind));
        Assert.Equal(PathRefusal.NotFound, kind);
        Assert.NotNull(refusal);
    }

    [Fact]
    public async Task Resolve_OfADanglingSymlink_IsNotFound()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("gone"), JobPath("was-here.txt"));

        Assert.Null(jobs.Resolve(JobId, "gone", out _, out var kind));
        Assert.Equal(PathRefusal.NotFound, kind);
    }

    [Fact]
    public async Task Resolve_OfASymlinkLoop_IsNotFound()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("a"), "b");
        File.CreateSymbolicLink(JobPath("b"), "a");

        Assert.Null(jobs.Resolve(JobId, "a", out _, out var kind));
        Assert.Equal(PathRefusal.NotFound, kind);
    }

    [Fact]
    public void Resolve_WhenTheJobFolderIsMissing_IsNotFound()
    {
        Assert.Null(jobs.Resolve(JobId, "job.sh", out var refusal, out var kind));
        Assert.Equal(PathRefusal.NotFound, kind);
        Assert.NotNull(refusal);
    }
}
