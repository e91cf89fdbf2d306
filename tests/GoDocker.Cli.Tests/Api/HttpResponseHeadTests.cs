using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli.Tests.Api;

public class HttpResponseHeadTests
{
    [Fact]
    public void Head_ParsesStatusReasonAndHeaders_CaseInsensitively()
    {
        var head = HttpResponseHead.Parse("HTTP/1.1 201 Created", ["content-type: application/json; charset=utf-8", "Content-Length:  42 "]);

        Assert.Equal(201, head.Status);
        Assert.Equal("Created", head.ReasonPhrase);
        Assert.True(head.IsSuccess);
        Assert.Equal("application/json", head.MediaType);
        Assert.Equal("42", head.Headers["CONTENT-LENGTH"]);
    }

    [Fact]
    public void Head_ReasonPhrase_MayHoldSpacesOrBeMissing()
    {
        Assert.Equal("Not Found Here", HttpResponseHead.Parse("HTTP/1.1 404 Not Found Here", []).ReasonPhrase);
        Assert.Equal("", HttpResponseHead.Parse("HTTP/1.1 204", []).ReasonPhrase);
    }

    [Fact]
    public void Head_RepeatedHeaders_AreJoinedWithCommas()
    {
        var head = HttpResponseHead.Parse("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip", "Transfer-Encoding: chunked"]);

        Assert.Equal("gzip, chunked", head.Headers["Transfer-Encoding"]);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2")]
    [InlineData("HTTP/1.1 2000 OK")]
    [InlineData("HTTP/1.1 abc OK")]
    [InlineData("")]
    public void Head_NotAnHttpStatusLine_IsMalformed(string statusLine)
    {
        Assert.Throws<MalformedReplyException>(() => HttpResponseHead.Parse(statusLine, []));
    }

    [Fact]
    public void Head_HeaderLineWithoutColon_IsMalformed()
    {
        Assert.Throws<MalformedReplyException>(() => HttpResponseHead.Parse("HTTP/1.1 200 OK", ["garbage"]));
    }

    [Fact]
    public void Framing_ChunkedWinsOverContentLength()
    {
        var head = HttpResponseHead.Parse("HTTP/1.1 200 OK", ["Content-Length: 10", "Transfer-Encoding: chunked"]);

        Assert.Equal(BodyFraming.Chunked, head.Framing("GET"));
    }

    [Fact]
    public void Framing_ContentLength_CountsBytes()
    {
        Assert.Equal(BodyFraming.Length(10), HttpResponseHead.Parse("HTTP/1.1 200 OK", ["Content-Length: 10"]).Framing("GET"));
    }

    [Fact]
    public void Framing_NeitherHeader_ReadsUntilClose()
    {
        Assert.Equal(BodyFraming.UntilClose, HttpResponseHead.Parse("HTTP/1.1 200 OK", []).Framing("GET"));
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content", "GET")]
    [InlineData("HTTP/1.1 304 Not Modified", "GET")]
    [InlineData("HTTP/1.1 200 OK", "HEAD")]
    public void Framing_NoBody_ForHeadAnd204And304(string statusLine, string method)
    {
        Assert.Equal(BodyFraming.None, HttpResponseHead.Parse(statusLine, ["Content-Length: 10"]).Framing(method));
    }

    [Fact]
    public void Framing_BadContentLength_IsMalformed()
    {
        Assert.Throws<MalformedReplyException>(() => HttpResponseHead.Parse("HTTP/1.1 200 OK", ["Content-Length: -1"]).Framing("GET"));
    }
}
