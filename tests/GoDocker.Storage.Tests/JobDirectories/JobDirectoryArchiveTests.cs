using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Storage.JobDirectories;

namespace GoDocker.Storage.Tests.JobDirectories;

/// <summary>
/// Retention's archive and removal of an ended job's folder, and the attacks a job could have left in it: links out of it
/// (to /etc/shadow, to another user's folder), a FIFO, a hard link to another user's file, a huge sparse file.
/// </summary>
public sealed partial class JobDirectoryArchiveTests : IDisposable
{
    private const long JobId = 9;
    private const string Secret = "root-only secret";
    private const int JobUid = 54321;
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly TempDirectory temp = new();
    private readonly JobDirectory jobs;

    public JobDirectoryArchiveTests()
    {
        Directory.CreateDirectory(temp.Combine("jobs"));
        Directory.CreateDirectory(temp.Combine("outside"));
        File.WriteAllText(temp.Combine("outside", "secret"), Secret);
        jobs = new JobDirectory(temp.Combine("jobs"));
    }

    public void Dispose() => temp.Dispose();

    private static ResolvedJobSpec Spec() => new()
    {
        Name = "job",
        Script = "echo hi",
        Image = "debian:latest",
        Cpus = 1,
        MemoryBytes = 1L << 30,
        Project = "default",
        RunAs = new UserIdentity { Login = "mallory", Uid = JobUid, Gid = JobUid, Home = "/home/mallory" },
    };

    private string JobPath(params string[] parts) => Path.Combine([jobs.PathFor(JobId), .. parts]);

    private string ArchivePath => jobs.PathFor(JobId) + ".tar.gz";

    private async Task PrepareAsync()
    {
        await jobs.PrepareAsync(JobId, Spec(), Ct);
        await File.WriteAllTextAsync(JobPath(JobDirectory.StdoutFile), "hello\n", Ct);
        Directory.CreateDirectory(JobPath("results", "deep"));
        await File.WriteAllBytesAsync(JobPath("results", "deep", "data.bin"), [.. Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7))], Ct);
    }

    /// <summary>Every entry of the archive as (name, type, content or link target).</summary>
    private List<(string Name, TarEntryType Type, string Content)> ReadArchive()
    {
        using var file = File.OpenRead(ArchivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new List<(string, TarEntryType, string)>();
        while (reader.GetNextEntry() is { } entry)
        {
            var content = entry.DataStream is { } data ? new StreamReader(data, Encoding.Latin1).ReadToEnd() : entry.LinkName;
            entries.Add((entry.Name, entry.EntryType, content));
        }
        return entries;
    }

    private static byte[] Read(JobPath found)
    {
        var file = Assert.IsType<JobPath.ArchivedFile>(found);
        using var stream = file.Stream;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(file.Length, copy.Length);
        return copy.ToArray();
    }

    [Fact]
    public async Task Archive_ReplacesTheFolder_AndServesTheSameFilesAndListings()
    {
        await PrepareAsync();
        var before = await File.ReadAllBytesAsync(JobPath("results", "deep", "data.bin"), Ct);
        Assert.Equal(JobDirectoryState.Present, jobs.StateOf(JobId));

        var outcome = await jobs.ArchiveAsync(JobId, 1L << 30, Ct);

        Assert.IsType<ArchiveOutcome.Archived>(outcome);
        Assert.False(Directory.Exists(jobs.PathFor(JobId)));
        Assert.Equal(JobDirectoryState.Archived, jobs.StateOf(JobId));
        Assert.Equal(
            ["job.sh", "results", "stderr", "stdout"],
            Assert.IsType<JobPath.Listing>(jobs.Open(JobId, "")).Entries.Select(e => e.Name));
        var deep = Assert.Single(Assert.IsType<JobPath.Listing>(jobs.Open(JobId, "results/deep")).Entries);
        Assert.Equal(("data.bin", "file", before.LongLength), (deep.Name, deep.Kind, deep.Size));
        Assert.Equal(before, Read(jobs.Open(JobId, "results/deep/data.bin")));
        Assert.Equal("hello\n"u8.ToArray(), Read(jobs.Open(JobId, "stdout")));
        Assert.Equal(PathRefusal.NotFound, Assert.IsType<JobPath.Refused>(jobs.Open(JobId, "results/nothing")).Kind);
        Assert.Equal(PathRefusal.Invalid, Assert.IsType<JobPath.Refused>(jobs.Open(JobId, "../8")).Kind);
        Assert.Equal([JobId], jobs.ListKept());
    }

    [Fact]
    public async Task ASymlinkToEtcShadow_OrOutside_IsArchivedAsALink_NeverItsContent()
    {
        await PrepareAsync();
        File.CreateSymbolicLink(JobPath("shadow"), "/etc/shadow");
        File.CreateSymbolicLink(JobPath("secret"), temp.Combine("outside", "secret"));

        Assert.IsType<ArchiveOutcome.Archived>(await jobs.ArchiveAsync(JobId, 1L << 30, Ct));

        var entries = ReadArchive();
        Assert.Contains(("shadow", TarEntryType.SymbolicLink, "/etc/shadow"), entries);
        Assert.Contains(("secret", TarEntryType.SymbolicLink, temp.Combine("outside", "secret")), entries);
        Assert.DoesNotContain(entries, e => e.Type != TarEntryType.SymbolicLink && (e.Content.Contains(Secret, StringComparison.Ordinal) || e.Content.Contains("root:", StringComparison.Ordinal)));
        Assert.Equal(PathRefusal.OutsideJobDirectory, Assert.IsType<JobPath.Refused>(jobs.Open(JobId, "shadow")).Kind);
        Assert.Equal(PathRefusal.OutsideJobDirectory, Assert.IsType<JobPath.Refused>(jobs.Open(JobId, "secret")).Kind);
        Assert.Equal(Secret, await File.ReadAllTextAsync(temp.Combine("outside", "secret"), Ct));
    }

    [Fact]
    public async Task ASymlinkedSubfolder_ToAnotherUsersFolder_IsNeitherWalkedNorRemovedThrough()
    {
        await PrepareAsync();
        Directory.CreateSymbolicLink(JobPath("results", "other"), temp.Combine("outside"));

        Assert.IsType<ArchiveOutcome.Archived>(await jobs.ArchiveAsync(JobId, 1L << 30, Ct));

        var entries = ReadArchive();
        Assert.Contains(("results/other", TarEntryType.SymbolicLink, temp.Combine("outside")), entries);
        Assert.DoesNotContain(entries, e => e.Name.StartsWith("results/other/", StringComparison.Ordinal));
        Assert.Equal(PathRefusal.NotFound, Assert.IsType<JobPath.Refused>(jobs.Open(JobId, "results/other/secret")).Kind);
        Assert.True(File.Exists(temp.Combine("outside", "secret")));
    }

    [Fact]
    public async Task Remove_OfAFolderWithLinksOut_DeletesNothingOutside()
    {
        await PrepareAsync();
        Directory.CreateSymbolicLink(JobPath("results", "other"), temp.Combine("outside"));
        File.CreateSymbolicLink(JobPath("secret"), temp.Combine("outside", "secret"));

        jobs.Remove(JobId);

        Assert.Equal(JobDirectoryState.None, jobs.StateOf(JobId));
        Assert.Equal(Secret, await File.ReadAllTextAsync(temp.Combine("outside", "secret"), Ct));
    }

    [Fact]
    public async Task AFifo_IsSkipped_NeverOpenedToBlock()
    {
        await PrepareAsync();
        Assert.Equal(0, MkFifo(JobPath("pipe"), 0x1B6));

        // Bounded: an open that blocks waiting for a writer fails the test instead of hanging it.
        var outcome = await jobs.ArchiveAsync(JobId, 1L << 30, Ct).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, Assert.IsType<ArchiveOutcome.Archived>(outcome).Skipped);
        Assert.DoesNotContain(ReadArchive(), e => e.Name == "pipe");
    }

    [Fact]
    public async Task AHardLinkToAnotherUsersFile_IsNotStored()
    {
        await PrepareAsync();
        Assert.Equal(0, Link(temp.Combine("outside", "secret"), JobPath("linked")));

        var outcome = await jobs.ArchiveAsync(JobId, 1L << 30, Ct);

        Assert.Equal(1, Assert.IsType<ArchiveOutcome.Archived>(outcome).Skipped);
        Assert.DoesNotContain(ReadArchive(), e => e.Name == "linked" || e.Content.Contains(Secret, StringComparison.Ordinal));
        Assert.Equal(Secret, await File.ReadAllTextAsync(temp.Combine("outside", "secret"), Ct));
    }

    [Fact]
    public async Task AHugeSparseFile_IsNotArchived_AndTheFolderStays()
    {
        await PrepareAsync();
        await using (var sparse = File.Create(JobPath("sparse")))
        {
            sparse.SetLength(1L << 40);
        }

        var outcome = await jobs.ArchiveAsync(JobId, 1L << 30, Ct).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<ArchiveOutcome.TooLarge>(outcome);
        Assert.Equal(JobDirectoryState.Present, jobs.StateOf(JobId));
        Assert.False(File.Exists(ArchivePath));
    }

    [Fact]
    public async Task ACrashAfterTheRename_IsFinished_ByDeletingTheFolder()
    {
        await PrepareAsync();
        Assert.IsType<ArchiveOutcome.Archived>(await jobs.ArchiveAsync(JobId, 1L << 30, Ct));
        var archived = await File.ReadAllBytesAsync(ArchivePath, Ct);
        // As if the server had died between the rename and the folder's deletion.
        Directory.CreateDirectory(JobPath("left"));

        Assert.IsType<ArchiveOutcome.Archived>(await jobs.ArchiveAsync(JobId, 1L << 30, Ct));

        Assert.False(Directory.Exists(jobs.PathFor(JobId)));
        Assert.Equal(archived, await File.ReadAllBytesAsync(ArchivePath, Ct));
    }

    [Fact]
    public async Task ACrashWhileWriting_LeavesAPartialArchive_ThatIsRedone()
    {
        await PrepareAsync();
        await File.WriteAllTextAsync(jobs.PathFor(JobId) + ".tar.gz.partial", "cut short", Ct);
        Assert.Equal(JobDirectoryState.Present, jobs.StateOf(JobId));

        Assert.IsType<ArchiveOutcome.Archived>(await jobs.ArchiveAsync(JobId, 1L << 30, Ct));

        Assert.False(File.Exists(jobs.PathFor(JobId) + ".tar.gz.partial"));
        Assert.Equal("hello\n"u8.ToArray(), Read(jobs.Open(JobId, "stdout")));
    }

    [Fact]
    public async Task Remove_OfAnArchive_LeavesNothing_AndIsIdempotent()
    {
        await PrepareAsync();
        await jobs.ArchiveAsync(JobId, 1L << 30, Ct);

        jobs.Remove(JobId);
        jobs.Remove(JobId);

        Assert.Equal(JobDirectoryState.None, jobs.StateOf(JobId));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("jobs")));
        Assert.Empty(jobs.ListKept());
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
