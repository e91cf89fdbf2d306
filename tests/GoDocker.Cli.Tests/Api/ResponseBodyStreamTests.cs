using System.Text;
using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli.Tests.Api;

public class ResponseBodyStreamTests
{
    /// <summary>A stream that hands out at most a few bytes per read, as a slow network does.</summary>
    private sealed class TricklingStream(byte[] data, int perRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(perRead, buffer.Length)], cancellationToken);
    }

    private static async Task<(string Head, string Body)> ReadAsync(string wire, Func<BufferedReader, BodyFraming> framing, int perRead = 3)
    {
        var reader = new BufferedReader(new TricklingStream(Encoding.ASCII.GetBytes(wire), perRead), capacity: 64);
        var firstLine = await reader.ReadLineAsync(CancellationToken.None);
        using var body = new ResponseBodyStream(reader, framing(reader));
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return (firstLine!, Encoding.ASCII.GetString(copy.ToArray()));
    }

    [Fact]
    public async Task Chunked_IsDecoded_AcrossReadsThatSplitSizesAndData()
    {
        var (head, body) = await ReadAsync("HEAD\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n", _ => BodyFraming.Chunked);

        Assert.Equal("HEAD", head);
        Assert.Equal("hello, world", body);
    }

    [Fact]
    public async Task Chunked_HexSizes_AreRead()
    {
        var data = new string('x', 26);
        var (_, body) = await ReadAsync($"H\r\n1a\r\n{data}\r\n0\r\n\r\n", _ => BodyFraming.Chunked, perRead: 100);

        Assert.Equal(data, body);
    }

    [Fact]
    public async Task Chunked_EndingBeforeTheLastChunk_IsMalformed_NotTakenForTheWhole()
    {
        await Assert.ThrowsAsync<MalformedReplyException>(() => ReadAsync("H\r\n5\r\nhello\r\n", _ => BodyFraming.Chunked));
    }

    [Fact]
    public async Task Chunked_DataNotFollowedByCrlf_IsMalformed()
    {
        await Assert.ThrowsAsync<MalformedReplyException>(() => ReadAsync("H\r\n2\r\nabc\r\n0\r\n\r\n", _ => BodyFraming.Chunked));
    }

    [Fact]
    public async Task ContentLength_StopsAtTheCount_EvenIfMoreBytesFollow()
    {
        var (_, body) = await ReadAsync("H\r\nhello world", _ => BodyFraming.Length(5));

        Assert.Equal("hello", body);
    }

    [Fact]
    public async Task ContentLength_CutShort_IsMalformed()
    {
        await Assert.ThrowsAsync<MalformedReplyException>(() => ReadAsync("H\r\nhel", _ => BodyFraming.Length(5)));
    }

    [Fact]
    public async Task UntilClose_ReadsEverythingLeft()
    {
        var (_, body) = await ReadAsync("H\nall of it\r\nand more", _ => BodyFraming.UntilClose);

        Assert.Equal("all of it\r\nand more", body);
    }

    [Fact]
    public async Task Lines_AcceptBareLf_AndRefuseOnesLongerThanTheBuffer()
    {
        var reader = new BufferedReader(new MemoryStream(Encoding.ASCII.GetBytes("one\ntwo\r\n" + new string('x', 100) + "\n")), capacity: 32);

        Assert.Equal("one", await reader.ReadLineAsync(CancellationToken.None));
        Assert.Equal("two", await reader.ReadLineAsync(CancellationToken.None));
        await Assert.ThrowsAsync<MalformedReplyException>(async () => await reader.ReadLineAsync(CancellationToken.None));
    }
}
