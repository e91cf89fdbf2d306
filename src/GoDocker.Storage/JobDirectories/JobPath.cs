namespace GoDocker.Storage.JobDirectories;

/// <summary>What a path in a job directory turned out to be, opened through descriptors (see <see cref="JobDirectory.Open"/>).</summary>
public abstract record JobPath
{
    private JobPath()
    {
    }

    /// <summary>A regular file, opened for reading: serve this stream, never the name again. The caller disposes it.</summary>
    public sealed record OpenedFile(FileStream Stream, string Name) : JobPath
    {
        /// <summary>The file as long as it is now, for a response that announces its length (see <see cref="SnapshotStream"/>).</summary>
        public SnapshotStream Snapshot() => new(Stream);
    }

    /// <summary>
    /// A regular file of an archived job directory: its bytes, read from the archive as they are served (not seekable: no
    /// ranges), <paramref name="Length"/> of them. The caller disposes it (which closes the archive).
    /// </summary>
    public sealed record ArchivedFile(Stream Stream, string Name, long Length) : JobPath;

    /// <summary>A folder's entries, sorted by name; links are listed as links, never followed.</summary>
    public sealed record Listing(IReadOnlyList<JobDirectoryEntry> Entries) : JobPath;

    /// <summary>Not served, and why.</summary>
    public sealed record Refused(PathRefusal Kind, string Reason) : JobPath;
}

/// <summary>One entry of a folder: Kind is file, dir, link or other (a FIFO, socket or device).</summary>
public sealed record JobDirectoryEntry(string Name, string Kind, long Size, DateTimeOffset ModifiedAt);

public enum PathRefusal
{
    None,
    /// <summary>Absolute, or contains '..': refused before touching the file system.</summary>
    Invalid,
    /// <summary>A symlink leads out of the job directory (or, on a kernel without openat2, is a symlink at all).</summary>
    OutsideJobDirectory,
    NotFound,
    /// <summary>A FIFO, socket or device: only regular files and folders are served.</summary>
    NotRegularFile,
}

/// <summary>What a job directory occupies on disk (allocated blocks, links not followed).</summary>
/// <param name="Complete">False when the walk stopped early: past the limit it was asked about, or too deep or too many entries to walk.</param>
public readonly record struct DirectoryUsage(long Bytes, bool Complete);
