using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Storage.Tests.JobDirectories;

/// <summary>
/// god.log and god.err (Compat:GoDocker10:Enabled), the names Galaxy's godocker runner reads a job's output by: links the
/// server makes and never follows. A job may replace them like any name of its folder.
/// </summary>
public sealed class JobDirectoryLegacyOutputNamesTests : IDisposable
{
    private const long JobId = 9;
    private const string Secret = "root-only secret";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempDirectory temp = new();

    public JobDirectoryLegacyOutputNamesTests()
    {
        Directory.CreateDirectory(temp.Combine("jobs"));
        Directory.CreateDirectory(temp.Combine("outside"));
        File.WriteAllText(temp.Combine("outside", "secret"), Secret);
        File.SetUnixFileMode(temp.Combine("outside", "secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose() => temp.Dispose();

    private JobDirectory Jobs(bool openat2, bool legacy = true) => new(temp.Combine("jobs"), openat2) { LegacyOutputNames = legacy };

    private static ResolvedJobSpec Spec() => new()
    {
        Name = "galaxy", Script = "echo hi", Image = "debian:latest", Cpus = 1, MemoryBytes = 1L << 30, Project = "default",
        RunAs = new UserIdentity { Login = "galaxy", Uid = 54322, Gid = 54322, Home = "/home/galaxy" },
    };

    private string InJob(string name) => Path.Combine(temp.Combine("jobs", JobId.ToString(System.Globalization.CultureInfo.InvariantCulture)), name);

    private DirectoryInfo Folder() => new(Path.GetDirectoryName(InJob("x"))!);

    private static string Outcome(JobPath found) => JobDirectoryAttackTests.Outcome(found);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GodLogAndGodErr_AreRelativeLinksToTheOutput_ServedOnlyWhereTheKernelKeepsThemInside(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        await File.WriteAllTextAsync(InJob("stdout"), "out\n");

        Assert.Equal("stdout", new FileInfo(InJob("god.log")).LinkTarget);
        Assert.Equal("stderr", new FileInfo(InJob("god.err")).LinkTarget);
        // Galaxy reads them on its own filesystem; the server serves them only through openat2's RESOLVE_BENEATH.
        Assert.Equal("out\n", await File.ReadAllTextAsync(InJob("god.log")));
        Assert.Equal(openat2 ? "out\n" : nameof(PathRefusal.OutsideJobDirectory), Outcome(jobs.Open(JobId, "god.log")));
    }

    [Fact]
    public async Task WithoutTheOption_ThereAreNoSuchNames()
    {
        await Jobs(openat2: true, legacy: false).PrepareAsync(JobId, Spec(), Ct);
        Assert.Empty(Folder().GetFileSystemInfos("god.*"));
        Assert.True(File.Exists(InJob("stdout")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AJobsOwnLinkOut_IsRefused_ThenMovedAsideAtRelaunch_WithoutEverBeingFollowed(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        // What a malicious job does: god.log → the secret, by absolute path; god.err → the same by climbing out.
        File.Delete(InJob("god.log"));
        File.CreateSymbolicLink(InJob("god.log"), temp.Combine("outside", "secret"));
        File.Delete(InJob("god.err"));
        File.CreateSymbolicLink(InJob("god.err"), "../../outside/secret");

        Assert.Equal(nameof(PathRefusal.OutsideJobDirectory), Outcome(jobs.Open(JobId, "god.log")));
        Assert.Equal(nameof(PathRefusal.OutsideJobDirectory), Outcome(jobs.Open(JobId, "god.err")));

        await jobs.PrepareAsync(JobId, Spec(), Ct);

        Assert.Equal("stdout", new FileInfo(InJob("god.log")).LinkTarget);
        Assert.Equal("stderr", new FileInfo(InJob("god.err")).LinkTarget);
        var aside = Folder().GetFileSystemInfos("god.log.moved-aside-*");
        Assert.Equal(temp.Combine("outside", "secret"), Assert.Single(aside).LinkTarget);
        // Nothing was written through the job's links.
        Assert.Equal(Secret, await File.ReadAllTextAsync(temp.Combine("outside", "secret")));
    }
}
