using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Storage.Tests.JobDirectories;

/// <summary>
/// A job owns its folder: every name in it may be a symlink, a FIFO, a device, a socket or swapped between two
/// calls. Each test plants what a malicious job would, then goes through JobDirectory as the server (root) does.
/// Theories run with openat2 and with the per-component fallback of kernels without it.
/// </summary>
public sealed partial class JobDirectoryAttackTests : IDisposable
{
    private const long JobId = 7;
    private const string Secret = "root-only secret";
    private const int JobUid = 54321;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempDirectory temp = new();

    public JobDirectoryAttackTests()
    {
        Directory.CreateDirectory(temp.Combine("jobs"));
        Directory.CreateDirectory(temp.Combine("outside"));
        File.WriteAllText(temp.Combine("outside", "secret"), Secret);
        File.SetUnixFileMode(temp.Combine("outside", "secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose() => temp.Dispose();

    private JobDirectory Jobs(bool openat2) => new(temp.Combine("jobs"), openat2);

    private static ResolvedJobSpec Spec(bool runAsJobUser = true) => new()
    {
        Name = "job",
        Script = "echo attempt",
        Image = "debian:latest",
        Cpus = 1,
        MemoryBytes = 1L << 30,
        Project = "default",
        RunAs = runAsJobUser ? new UserIdentity { Login = "mallory", Uid = JobUid, Gid = JobUid, Home = "/home/mallory" } : null,
    };

    private string JobPath(params string[] parts) => Path.Combine([temp.Combine("jobs", JobId.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. parts]);

    /// <summary>The content when a regular file was opened, else the refusal's kind (also what other job directory tests check).</summary>
    internal static string Outcome(JobPath found)
    {
        switch (found)
        {
            case JobPath.OpenedFile file:
                using (var reader = new StreamReader(file.Stream))
                {
                    return reader.ReadToEnd();
                }
            case JobPath.Refused refused:
                return refused.Kind.ToString();
            default:
                return "listing";
        }
    }

    [Theory]
    [InlineData(true, "a", "link/b/c.txt")]
    [InlineData(true, "a/b", "a/link/c.txt")]
    [InlineData(true, "a/b/c.txt", "a/b/link")]
    [InlineData(false, "a", "link/b/c.txt")]
    [InlineData(false, "a/b", "a/link/c.txt")]
    [InlineData(false, "a/b/c.txt", "a/b/link")]
    public async Task ASymlinkOut_AtAnyComponent_IsNeverFollowed(bool openat2, string replaced, string asked)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        Directory.CreateDirectory(JobPath("a", "b"));
        // Outside: the same tree, with the secret where c.txt would be.
        Directory.CreateDirectory(temp.Combine("outside", "b"));
        File.Copy(temp.Combine("outside", "secret"), temp.Combine("outside", "b", "c.txt"));
        File.Copy(temp.Combine("outside", "secret"), temp.Combine("outside", "c.txt"));
        var target = replaced switch
        {
            "a" => temp.Combine("outside"),
            "a/b" => temp.Combine("outside", "b"),
            _ => temp.Combine("outside", "secret"),
        };
        var link = Path.Combine(Path.GetDirectoryName(JobPath(replaced.Split('/')))!, "link");
        File.CreateSymbolicLink(link, target);

        var outcome = Outcome(jobs.Open(JobId, asked));

        Assert.Equal(nameof(PathRefusal.OutsideJobDirectory), outcome);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFileSwappedForASymlinkInALoop_NeverYieldsTheSecret(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        var name = JobPath("x");
        var staged = JobPath("x.file");
        var stagedLink = JobPath("x.link");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var swaps = 0;
        // The job: atomically rename a plain file or a link to the secret over x, as fast as it can. A thread of its
        // own: on a busy thread pool a queued swapper may not start before the reader is done (CI saw 0 swaps).
        var swapper = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                File.WriteAllText(staged, "public");
                File.Move(staged, name, overwrite: true);
                File.CreateSymbolicLink(stagedLink, temp.Combine("outside", "secret"));
                File.Move(stagedLink, name, overwrite: true);
                Interlocked.Increment(ref swaps);
            }
        }, TaskCreationOptions.LongRunning);

        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        // Read while the swapper swaps: at least 20,000 opens and 1,000 swaps, at most 15 s.
        for (var i = 0; (i < 20_000 || Volatile.Read(ref swaps) < 1_000) && clock.Elapsed < TimeSpan.FromSeconds(15); i++)
        {
            var outcome = Outcome(jobs.Open(JobId, "x"));
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        await stop.CancelAsync();
        await swapper;

        Assert.True(swaps > 100, $"the swapper barely ran ({swaps} swaps)");
        Assert.False(outcomes.ContainsKey(Secret), $"read the secret {outcomes.GetValueOrDefault(Secret)} times");
        Assert.True(outcomes.ContainsKey("public"), string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFifo_IsRefusedAtOnce_NeverOpenedToBlock(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        Assert.Equal(0, MkFifo(JobPath("pipe"), 0x1B6));

        // Bounded: an open that blocks waiting for a writer fails the test instead of hanging it.
        var found = await Task.Run(() => jobs.Open(JobId, "pipe")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PathRefusal.NotRegularFile, Assert.IsType<JobPath.Refused>(found).Kind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StdoutLinkedToDevZero_OrADeviceNode_IsRefused(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        File.Delete(JobPath(JobDirectory.StdoutFile));
        File.CreateSymbolicLink(JobPath(JobDirectory.StdoutFile), "/dev/zero");
        // A job with CAP_MKNOD can make the device itself, inside its folder: char 1,5 is /dev/zero.
        Assert.Equal(0, MkNod(JobPath("zero"), 0x2000 | 0x180, (1 << 8) | 5));

        var viaLink = await Task.Run(() => jobs.Open(JobId, JobDirectory.StdoutFile)).WaitAsync(TimeSpan.FromSeconds(10));
        var device = await Task.Run(() => jobs.Open(JobId, "zero")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PathRefusal.OutsideJobDirectory, Assert.IsType<JobPath.Refused>(viaLink).Kind);
        Assert.Equal(PathRefusal.NotRegularFile, Assert.IsType<JobPath.Refused>(device).Kind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASocket_IsRefused(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(JobPath("sock")));

        var found = jobs.Open(JobId, "sock");

        Assert.Equal(PathRefusal.NotRegularFile, Assert.IsType<JobPath.Refused>(found).Kind);
        var listing = Assert.IsType<JobPath.Listing>(jobs.Open(JobId, ""));
        Assert.Equal("other", listing.Entries.Single(e => e.Name == "sock").Kind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requeue_OverPlantedSymlinks_CreatesWritesAndChownsNothingOutside(bool openat2)
    {
        var jobs = Jobs(openat2);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        // The job's script, before it ended: job.sh aimed at a cron folder, stdout and stderr at host files.
        var cron = Directory.CreateDirectory(temp.Combine("outside", "cron.d")).FullName;
        var hostFile = temp.Combine("outside", "passwd");
        await File.WriteAllTextAsync(hostFile, "root:x:0:0\n", Ct);
        File.SetUnixFileMode(hostFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        foreach (var name in (string[])[JobDirectory.ScriptFile, JobDirectory.StdoutFile, JobDirectory.StderrFile])
        {
            File.Delete(JobPath(name));
        }
        File.CreateSymbolicLink(JobPath(JobDirectory.ScriptFile), Path.Combine(cron, "godocker"));
        File.CreateSymbolicLink(JobPath(JobDirectory.StdoutFile), hostFile);
        File.CreateSymbolicLink(JobPath(JobDirectory.StderrFile), cron);

        await jobs.PrepareAsync(JobId, Spec(), Ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(cron));
        Assert.Equal("root:x:0:0\n", await File.ReadAllTextAsync(hostFile, Ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(hostFile));
        Assert.Equal(0, Owner(hostFile));
        Assert.Equal(0, Owner(cron));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(cron));
        // The job's folder has its files again, plain and the job's.
        Assert.Equal("#!/bin/sh\necho attempt\n", await File.ReadAllTextAsync(JobPath(JobDirectory.ScriptFile), Ct));
        foreach (var name in (string[])[JobDirectory.ScriptFile, JobDirectory.StdoutFile, JobDirectory.StderrFile])
        {
            Assert.Null(new FileInfo(JobPath(name)).LinkTarget);
            Assert.Equal(JobUid, Owner(JobPath(name)));
        }
    }

    [Fact]
    public async Task Requeue_OverAHardLinkedOutput_LeavesTheOtherFileAlone()
    {
        var jobs = Jobs(true);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        // A hard link to a root file on the same filesystem: a chown or append through it would reach that file.
        var hostFile = temp.Combine("outside", "root-owned.log");
        await File.WriteAllTextAsync(hostFile, "root's\n", Ct);
        File.Delete(JobPath(JobDirectory.StdoutFile));
        Assert.Equal(0, Link(hostFile, JobPath(JobDirectory.StdoutFile)));
        await File.WriteAllTextAsync(JobPath(JobDirectory.StderrFile), "attempt 1 error\n", Ct);

        await jobs.PrepareAsync(JobId, Spec(), Ct);

        Assert.Equal(0, Owner(hostFile));
        Assert.Equal("root's\n", await File.ReadAllTextAsync(hostFile, Ct));
        Assert.Equal(0, new FileInfo(JobPath(JobDirectory.StdoutFile)).Length);
        Assert.Equal(JobUid, Owner(JobPath(JobDirectory.StdoutFile)));
        // A plain output of the job's own, with one link, is kept and appended to.
        Assert.Equal("attempt 1 error\n", await File.ReadAllTextAsync(JobPath(JobDirectory.StderrFile), Ct));
    }

    [Fact]
    public async Task Prepare_WhenTheJobFolderNameIsASymlink_MovesItAside_AndCreatesNothingOutside()
    {
        var jobs = Jobs(true);
        Directory.CreateSymbolicLink(JobPath(), temp.Combine("outside"));

        await jobs.PrepareAsync(JobId, Spec(), Ct);

        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(temp.Combine("outside")).Select(Path.GetFileName));
        Assert.Null(new DirectoryInfo(JobPath()).LinkTarget);
        Assert.True(File.Exists(JobPath(JobDirectory.ScriptFile)));
    }

    [Fact]
    public async Task Delete_RemovesALinkToAFolderOutside_NotWhatItPointsTo()
    {
        var jobs = Jobs(true);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        Directory.CreateDirectory(JobPath("deep", "er"));
        Directory.CreateSymbolicLink(JobPath("deep", "er", "out"), temp.Combine("outside"));
        File.CreateSymbolicLink(JobPath("secret"), temp.Combine("outside", "secret"));

        jobs.Delete(JobId);

        Assert.False(Directory.Exists(JobPath()));
        Assert.Equal(Secret, await File.ReadAllTextAsync(temp.Combine("outside", "secret"), Ct));
    }

    [Fact]
    public async Task Measure_CountsWhatTheFolderHolds_NotWhatLinksPointTo()
    {
        var jobs = Jobs(true);
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        var big = temp.Combine("outside", "big");
        await File.WriteAllBytesAsync(big, new byte[4 << 20], Ct);
        File.CreateSymbolicLink(JobPath("big"), big);
        Directory.CreateDirectory(JobPath("sub"));
        await File.WriteAllBytesAsync(JobPath("sub", "data"), new byte[1 << 20], Ct);
        // Sparse: a few blocks on disk, a terabyte to whoever downloads it.
        using (var sparse = File.Create(JobPath("sparse")))
        {
            sparse.SetLength(1L << 40);
        }

        var small = jobs.Measure(JobId, stopAbove: 1L << 50);
        File.Delete(JobPath("sparse"));
        var usage = jobs.Measure(JobId, stopAbove: 1L << 30);
        var stopped = jobs.Measure(JobId, stopAbove: 1000);

        Assert.True(small!.Value.Bytes >= 1L << 40, $"{small.Value.Bytes}");
        Assert.InRange(usage!.Value.Bytes, 1L << 20, 2L << 20);
        Assert.True(usage.Value.Complete);
        Assert.False(stopped!.Value.Complete);
        Assert.Null(jobs.Measure(JobId + 1, stopAbove: 1000));
    }

    private static int Owner(string path)
    {
        Assert.Equal(0, LStat(path, out var uid));
        return uid;
    }

    private static int LStat(string path, out int uid)
    {
        var status = new byte[256];
        // statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_UID): stx_uid at offset 20.
        var result = Statx(-100, path, 0x100, 0x8, status);
        uid = BitConverter.ToInt32(status, 20);
        return result;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "mknod", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkNod(string path, uint mode, ulong device);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
