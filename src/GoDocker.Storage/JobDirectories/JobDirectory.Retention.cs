using System.Formats.Tar;
using System.IO.Compression;
using GoDocker.Jobs;
using Microsoft.Win32.SafeHandles;
using static GoDocker.Storage.JobDirectories.Posix;

namespace GoDocker.Storage.JobDirectories;

/// <summary>
/// Retention: an ended job's folder archived into one tar.gz beside it in the jobs root ("{id}.tar.gz"), later removed.
/// The jobs root is the server's own (no job can write there), so names in it are trusted; names inside a job's folder
/// never are. Archiving walks the folder as <see cref="Delete"/> does: through descriptors, never following a link (a link
/// is stored as a link), never opening a FIFO, socket or device (skipped), each file opened with O_NOFOLLOW|O_NONBLOCK and
/// checked with fstat to be the regular file that was listed.
/// </summary>
public sealed partial class JobDirectory
{
    private const string ArchiveSuffix = ".tar.gz";
    private const string PartialSuffix = ".tar.gz.partial";

    private static string ArchiveName(long jobId) => Name(jobId) + ArchiveSuffix;

    /// <summary>What is on disk for the job: its folder, its archive, or nothing (None; the caller knows whether the job ended).</summary>
    public JobDirectoryState StateOf(long jobId)
    {
        using var root = OpenRoot();
        if (root is null)
        {
            return JobDirectoryState.None;
        }
        if (TryStat(Fd(root), Name(jobId), out var folder, out _) && folder.IsDirectory)
        {
            return JobDirectoryState.Present;
        }
        return TryStat(Fd(root), ArchiveName(jobId), out var archive, out _) && archive.IsRegularFile
            ? JobDirectoryState.Archived
            : JobDirectoryState.None;
    }

    /// <summary>What the job's folder or archive occupies now (see <see cref="Measure"/>); zero when neither exists.</summary>
    public (JobDirectoryState State, long Bytes) Kept(long jobId)
    {
        var state = StateOf(jobId);
        if (state == JobDirectoryState.Archived)
        {
            using var root = OpenRoot();
            return (state, root is not null && TryStat(Fd(root), ArchiveName(jobId), out var archive, out _) ? archive.AllocatedBytes : 0);
        }
        return state == JobDirectoryState.Present ? (state, Measure(jobId, long.MaxValue)?.Bytes ?? 0) : (state, 0);
    }

    /// <summary>
    /// Replaces the job's folder with one archive: written beside under a temporary name, flushed, renamed, and only then
    /// the folder deleted. Safe to run again after a crash at any point: an archive already renamed is kept (only the
    /// folder is deleted), a temporary one is thrown away and written anew. A folder measured above
    /// <paramref name="maxBytes"/> (apparent sizes: a sparse file counts whole) is not archived (<see cref="ArchiveOutcome.TooLarge"/>).
    /// </summary>
    public async Task<ArchiveOutcome> ArchiveAsync(long jobId, long maxBytes, CancellationToken cancellationToken)
    {
        using var root = OpenRoot();
        if (root is null)
        {
            return new ArchiveOutcome.NothingToArchive();
        }
        var archiveName = ArchiveName(jobId);
        var partialName = Name(jobId) + PartialSuffix;
        if (TryStat(Fd(root), archiveName, out var done, out _) && done.IsRegularFile)
        {
            // Renamed before a crash: the archive is whole, only the folder is left to delete.
            Delete(jobId);
            return new ArchiveOutcome.Archived(done.Size, 0);
        }
        using var dir = OpenFolder(jobId, ORdOnly);
        if (dir is null)
        {
            return new ArchiveOutcome.NothingToArchive();
        }
        var usage = Measure(jobId, maxBytes);
        if (usage is not { Complete: true } || usage.Value.Bytes > maxBytes)
        {
            return new ArchiveOutcome.TooLarge(usage?.Bytes ?? 0);
        }
        var errno = UnlinkAt(Fd(root), partialName, directory: false);
        if (errno is not (0 or ENoEnt))
        {
            throw Fault("unlink", partialName, errno);
        }
        var ownerUid = StatOrThrow(dir, PathFor(jobId)).Uid;
        var skipped = 0;
        var partial = Own(OpenAt(Fd(root), partialName, OWrOnly | OCreat | OExcl | ONoFollow | OCloExec, OwnerReadWrite), "create", partialName);
        await using (var file = new FileStream(partial, FileAccess.Write, 1 << 16))
        {
            await using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
            await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
            {
                await AddFolderAsync(tar, dir, "", 0);
            }
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        errno = RenameAt(Fd(root), partialName, archiveName);
        if (errno != 0)
        {
            throw Fault("rename", partialName, errno);
        }
        // The rename on disk before the folder goes: a crash then finds the archive, never neither.
        using (var listed = Own(OpenAt(Fd(root), ".", ORdOnly | ODirectory | OCloExec), "open", Root))
        {
            FSyncOrThrow(Fd(listed), Root);
        }
        var size = TryStat(Fd(root), archiveName, out var written, out _) ? written.Size : 0;
        Delete(jobId);
        return new ArchiveOutcome.Archived(size, skipped);

        async Task AddFolderAsync(TarWriter tar, SafeFileHandle folder, string prefix, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new IOException($"{PathFor(jobId)} is more than {MaxDepth} folders deep");
            }
            var names = ReadNames(Fd(folder), MaxEntries, PathFor(jobId) + "/" + prefix);
            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entryName = prefix + name;
                if (!TryStat(Fd(folder), name, out var status, out _))
                {
                    continue;
                }
                if (status.IsSymbolicLink)
                {
                    // Stored as what it is: a name pointing somewhere. Never followed, here or when served.
                    if (ReadLinkAt(Fd(folder), name) is { } target)
                    {
                        await tar.WriteEntryAsync(Entry(TarEntryType.SymbolicLink, entryName, status, linkName: target), cancellationToken);
                    }
                    continue;
                }
                if (status.IsDirectory)
                {
                    var fd = OpenAt(Fd(folder), name, ORdOnly | ODirectory | ONoFollow | OCloExec);
                    if (fd < 0)
                    {
                        skipped++;
                        continue;
                    }
                    using var child = new SafeFileHandle(fd, ownsHandle: true);
                    if (!StatOrThrow(child, entryName).IsSameFile(status))
                    {
                        skipped++;
                        continue;
                    }
                    await tar.WriteEntryAsync(Entry(TarEntryType.Directory, entryName + "/", status), cancellationToken);
                    await AddFolderAsync(tar, child, entryName + "/", depth + 1);
                    continue;
                }
                // A FIFO would block an open, a device could stream forever: neither is ever opened. A file with other
                // names elsewhere is stored only when it is the job owner's (its content is theirs to keep).
                if (!status.IsRegularFile || status.Links > 1 && status.Uid != ownerUid)
                {
                    skipped++;
                    continue;
                }
                var opened = OpenAt(Fd(folder), name, ORdOnly | ONoFollow | ONonBlock | OCloExec);
                if (opened < 0)
                {
                    skipped++;
                    continue;
                }
                var handle = new SafeFileHandle(opened, ownsHandle: true);
                var now = StatOrThrow(handle, entryName);
                if (!now.IsRegularFile || !now.IsSameFile(status))
                {
                    handle.Dispose();
                    skipped++;
                    continue;
                }
                await using var content = new SnapshotStream(new FileStream(handle, FileAccess.Read, 1 << 16));
                var entry = Entry(TarEntryType.RegularFile, entryName, now);
                entry.DataStream = content;
                await tar.WriteEntryAsync(entry, cancellationToken);
            }
        }
    }

    /// <summary>Removes whatever retention keeps of the job: its folder (links unlinked, never followed), its archive, a temporary archive.</summary>
    public void Remove(long jobId)
    {
        Delete(jobId);
        using var root = OpenRoot();
        if (root is null)
        {
            return;
        }
        foreach (var name in (string[])[ArchiveName(jobId), Name(jobId) + PartialSuffix])
        {
            var errno = UnlinkAt(Fd(root), name, directory: false);
            if (errno is not (0 or ENoEnt))
            {
                throw Fault("unlink", Path.Combine(Root, name), errno);
            }
        }
    }

    /// <summary>The ids of the jobs that have a folder or an archive in the jobs root (names that are not a job's are ignored).</summary>
    public IReadOnlyList<long> ListKept()
    {
        using var root = OpenRoot();
        if (root is null)
        {
            return [];
        }
        using var listed = Own(OpenAt(Fd(root), ".", ORdOnly | ODirectory | OCloExec), "open", Root);
        var ids = new SortedSet<long>();
        foreach (var name in ReadNames(Fd(listed), int.MaxValue, Root))
        {
            var stem = name.EndsWith(ArchiveSuffix, StringComparison.Ordinal) ? name[..^ArchiveSuffix.Length] : name;
            if (long.TryParse(stem, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && Name(id) == stem)
            {
                ids.Add(id);
            }
        }
        return [.. ids];
    }

    /// <summary>
    /// <paramref name="segments"/> in the job's archive, when it has one: a folder's listing or a regular file's bytes.
    /// A link is listed as a link and never followed (not even inside the archive). Null when there is no archive.
    /// </summary>
    private JobPath? OpenInArchive(long jobId, string[] segments, string path)
    {
        using var root = OpenRoot();
        if (root is null)
        {
            return null;
        }
        var fd = OpenAt(Fd(root), ArchiveName(jobId), ORdOnly | ONoFollow | OCloExec);
        if (fd < 0)
        {
            return null;
        }
        var file = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1 << 16);
        var gzip = new GZipStream(file, CompressionMode.Decompress);
        var reader = new TarReader(gzip);
        var target = string.Join('/', segments);
        var children = new List<JobDirectoryEntry>();
        var found = target.Length == 0;
        var handedOver = false;
        try
        {
            while (reader.GetNextEntry() is { } entry)
            {
                var name = entry.Name.TrimEnd('/');
                if (name == target)
                {
                    found = true;
                    switch (entry.EntryType)
                    {
                        case TarEntryType.Directory:
                            continue;
                        case TarEntryType.SymbolicLink:
                            return new JobPath.Refused(PathRefusal.OutsideJobDirectory, "is a symbolic link (kept as a link in the archive, never followed)");
                        case TarEntryType.RegularFile or TarEntryType.V7RegularFile when entry.DataStream is { } data:
                            handedOver = true;
                            return new JobPath.ArchivedFile(new ArchiveEntryStream(data, entry.Length, reader, gzip, file), segments[^1], entry.Length);
                        case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                            handedOver = true;
                            return new JobPath.ArchivedFile(new ArchiveEntryStream(Stream.Null, 0, reader, gzip, file), segments[^1], 0);
                        default:
                            return new JobPath.Refused(PathRefusal.NotRegularFile, "is not a regular file or a folder");
                    }
                }
                var slash = name.LastIndexOf('/');
                var parent = slash < 0 ? "" : name[..slash];
                if (parent == target)
                {
                    var kind = entry.EntryType switch
                    {
                        TarEntryType.Directory => "dir",
                        TarEntryType.SymbolicLink => "link",
                        TarEntryType.RegularFile or TarEntryType.V7RegularFile => "file",
                        _ => "other",
                    };
                    children.Add(new JobDirectoryEntry(name[(slash + 1)..], kind, entry.Length, entry.ModificationTime));
                }
            }
            return found
                ? new JobPath.Listing([.. children.OrderBy(e => e.Name, StringComparer.Ordinal)])
                : new JobPath.Refused(PathRefusal.NotFound, $"no such file in the job's archive: '{path}'");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new IOException($"the archive of job {jobId} is unreadable: {e.Message}", e);
        }
        finally
        {
            if (!handedOver)
            {
                reader.Dispose();
                gzip.Dispose();
                file.Dispose();
            }
        }
    }

    private SafeFileHandle? OpenRoot()
    {
        var fd = OpenAt(AtFdCwd, Root, OPath | ODirectory | OCloExec);
        return fd == -ENoEnt ? null : Own(fd, "open", Root);
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, FileStatus status, string? linkName = null)
    {
        var entry = new PaxTarEntry(type, name)
        {
            ModificationTime = status.ModifiedAt,
            Mode = (UnixFileMode)(status.Mode & 0x1FF),
            Uid = status.Uid,
        };
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }
        return entry;
    }

    /// <summary>One entry's bytes; disposing it closes the archive it is read from.</summary>
    private sealed class ArchiveEntryStream(Stream data, long length, params IDisposable[] owners) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => data.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            data.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            data.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var owner in owners)
                {
                    owner.Dispose();
                }
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>What archiving a job's folder came to.</summary>
public abstract record ArchiveOutcome
{
    private ArchiveOutcome()
    {
    }

    /// <summary>The archive is in place and the folder gone; <paramref name="Skipped"/> entries were not stored (FIFOs, sockets, devices, others' hard links).</summary>
    public sealed record Archived(long ArchiveBytes, int Skipped) : ArchiveOutcome;

    /// <summary>No folder (and no archive): nothing to do.</summary>
    public sealed record NothingToArchive : ArchiveOutcome;

    /// <summary>Larger than the site archives (or too deep to walk): the folder stays until it is removed.</summary>
    public sealed record TooLarge(long Bytes) : ArchiveOutcome;
}
