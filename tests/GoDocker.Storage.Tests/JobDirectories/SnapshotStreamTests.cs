using GoDocker.Storage.JobDirectories;

namespace GoDocker.Storage.Tests.JobDirectories;

/// <summary>A job's file served while the job writes it: the length announced at the start is the length served.</summary>
public sealed class SnapshotStreamTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<(string Path, FileStream Read)> FileWithAsync(string text)
    {
        var path = temp.Combine("stdout");
        await File.WriteAllTextAsync(path, text);
        return (path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1));
    }

    [Fact]
    public async Task WhatIsWrittenAfterTheSnapshot_IsNotRead()
    {
        var (path, read) = await FileWithAsync("line 1\n");
        await using var snapshot = new SnapshotStream(read);
        await File.AppendAllTextAsync(path, "line 2\n");

        using var reader = new StreamReader(snapshot);
        Assert.Equal(7, snapshot.Length);
        Assert.Equal("line 1\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task ARangeNearTheEnd_StopsAtTheSnapshotsLength()
    {
        var (path, read) = await FileWithAsync("0123456789");
        await using var snapshot = new SnapshotStream(read);
        await File.AppendAllTextAsync(path, "abcdef");

        snapshot.Seek(-4, SeekOrigin.End);
        var buffer = new byte[16];
        var got = await snapshot.ReadAsync(buffer);
        Assert.Equal("6789", System.Text.Encoding.ASCII.GetString(buffer, 0, got));
        Assert.Equal(0, snapshot.Read(buffer, 0, buffer.Length));
    }

    [Fact]
    public async Task AFileTruncatedMeanwhile_EndsShort_NeverWithBytesThatWereNotInIt()
    {
        var (path, read) = await FileWithAsync("0123456789");
        await using var snapshot = new SnapshotStream(read);
        await using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(3);
        }

        var buffer = new byte[16];
        Assert.Equal(3, await snapshot.ReadAsync(buffer));
        Assert.Equal(0, await snapshot.ReadAsync(buffer));
        Assert.Equal(10, snapshot.Length);
    }

    [Fact]
    public async Task ItIsReadOnly_AndDisposingItClosesTheFile()
    {
        var (_, read) = await FileWithAsync("x");
        var snapshot = new SnapshotStream(read);

        Assert.False(snapshot.CanWrite);
        Assert.Throws<NotSupportedException>(() => snapshot.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => snapshot.SetLength(0));
        await snapshot.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => read.ReadByte());
    }
}
