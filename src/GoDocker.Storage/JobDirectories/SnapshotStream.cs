namespace GoDocker.Storage.JobDirectories;

/// <summary>
/// A file as it was when this was made: the length is read once and nothing past it is ever read. A job
/// writes its output while it is being downloaded, and the response announced the length it had when the
/// download began (Content-Length, ranges); the bytes written since are the next download's, or a follow's.
/// If the job truncates the file meanwhile, fewer bytes come and the response ends short (the client sees a
/// cut transfer, never bytes that were not in the file).
/// </summary>
public sealed class SnapshotStream : Stream
{
    private readonly FileStream file;
    private readonly long length;

    public SnapshotStream(FileStream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        this.file = file;
        length = file.Length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => file.Position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => file.Read(buffer[..Allowed(buffer.Length)]);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        file.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken);

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => file.Position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        return file.Seek(target, SeekOrigin.Begin);
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("a snapshot of a job's file is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a snapshot of a job's file is read-only");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await file.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Allowed(int wanted) => (int)Math.Clamp(length - file.Position, 0, wanted);
}
