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

    private string ReadOpened(string? asked)
    {
        var opened = Assert.IsType<JobPath.OpenedFile>(jobs.Open(JobId, asked));
        using var reader = new StreamReader(opened.Stream);
        return reader.ReadToEnd();
    }

    private JobPath.Refused Refused(string? asked) => Assert.IsType<JobPath.Refused>(jobs.Open(JobId, asked));

    [Theory]
    [InlineData("job.sh", "job.sh")]
    [InlineData("./job.sh", "job.sh")]
    [InlineData("sub/data.txt", "sub/data.txt")]
    [InlineData("sub//data.txt", "sub/data.txt")]
    [InlineData("sub\\data.txt", "sub/data.txt")]
    public async Task Open_FindsAFileInTheJobFolder(string asked, string expected)
    {
        await SeedAsync();

        Assert.Equal(await File.ReadAllTextAsync(JobPath(expected.Split('/')), Ct), ReadOpened(asked));
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("sub/")]
    public async Task Open_ListsASubFolder(string asked)
    {
        await SeedAsync();

        var listing = Assert.IsType<JobPath.Listing>(jobs.Open(JobId, asked));

        Assert.Equal([("data.txt", "file", 4L)], listing.Entries.Select(e => (e.Name, e.Kind, e.Size)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    public async Task Open_OfNothing_ListsTheJobFolderItself(string? asked)
    {
        await SeedAsync();

        var listing = Assert.IsType<JobPath.Listing>(jobs.Open(JobId, asked));

        Assert.Equal(["job.sh", "stderr", "stdout", "sub"], listing.Entries.Select(e => e.Name));
        Assert.Equal("dir", listing.Entries.Single(e => e.Name == "sub").Kind);
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
    public async Task Open_RefusesAbsolutePathsAndDotDot_AsInvalid(string asked)
    {
        await SeedAsync();

        var refused = Refused(asked);

        Assert.Equal(PathRefusal.Invalid, refused.Kind);
        Assert.False(string.IsNullOrWhiteSpace(refused.Reason));
    }

    [Fact]
    public async Task Open_RefusesASymlinkToAFileOutside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("passwd"), "/etc/passwd");

        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("passwd").Kind);
    }

    [Fact]
    public async Task Open_RefusesAFileUnderASymlinkedFolderOutside()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("out"), temp.Combine("outside"));

        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("out/secret.txt").Kind);
        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("out").Kind);
    }

    [Fact]
    public async Task Open_RefusesARelativeSymlinkThatClimbsOut()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("sub", "up"), "../../../outside");

        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("sub/up/secret.txt").Kind);
    }

    [Fact]
    public async Task Open_RefusesAChainOfSymlinksThatEndsOutside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("hop2"), temp.Combine("outside", "secret.txt"));
        File.CreateSymbolicLink(JobPath("hop1"), "hop2");

        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("hop1").Kind);
    }

    [Fact]
    public async Task Open_RefusesASymlinkIntoAnotherJobsFolder()
    {
        await SeedAsync();
        await jobs.PrepareAsync(43, Spec("echo other"), Ct);
        File.CreateSymbolicLink(JobPath("theirs"), Path.Combine(jobs.PathFor(43), JobDirectory.ScriptFile));
        File.CreateSymbolicLink(JobPath("theirs-relative"), "../43/job.sh");

        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("theirs").Kind);
        Assert.Equal(PathRefusal.OutsideJobDirectory, Refused("theirs-relative").Kind);
    }

    [Fact]
    public async Task Open_FollowsASymlinkToAFileInside()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("latest"), "sub/data.txt");

        Assert.Equal("data", ReadOpened("latest"));
    }

    [Fact]
    public async Task Open_FollowsASymlinkedFolderInside()
    {
        await SeedAsync();
        Directory.CreateSymbolicLink(JobPath("results"), "sub");

        Assert.Equal("data", ReadOpened("results/data.txt"));
    }

    [Fact]
    public async Task Listing_ShowsLinksAsLinks_WithoutFollowingThem()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("passwd"), "/etc/passwd");
        Directory.CreateSymbolicLink(JobPath("out"), temp.Combine("outside"));

        var listing = Assert.IsType<JobPath.Listing>(jobs.Open(JobId, ""));

        Assert.Equal(("link", 0L), listing.Entries.Where(e => e.Name == "passwd").Select(e => (e.Kind, e.Size)).Single());
        Assert.Equal("link", listing.Entries.Single(e => e.Name == "out").Kind);
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("sub/missing.txt")]
    [InlineData("missing/data.txt")]
    [InlineData("job.sh/x")]
    public async Task Open_OfAMissingFile_IsNotFound(string asked)
    {
        await SeedAsync();

        var refused = Refused(asked);

        Assert.Equal(PathRefusal.NotFound, refused.Kind);
        Assert.NotNull(refused.Reason);
    }

    [Fact]
    public async Task Open_OfADanglingSymlinkInside_IsNotFound()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("gone"), "was-here.txt");

        Assert.Equal(PathRefusal.NotFound, Refused("gone").Kind);
    }

    [Fact]
    public async Task Open_OfASymlinkLoop_IsNotFound()
    {
        await SeedAsync();
        File.CreateSymbolicLink(JobPath("a"), "b");
        File.CreateSymbolicLink(JobPath("b"), "a");

        Assert.Equal(PathRefusal.NotFound, Refused("a").Kind);
    }

    [Fact]
    public void Open_WhenTheJobFolderIsMissing_IsNotFound()
    {
        Assert.Equal(PathRefusal.NotFound, Refused("job.sh").Kind);
    }
}
