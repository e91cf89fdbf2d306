using System.Text;
using GoDocker.Cli.Api.Http;

namespace GoDocker.Cli.Tests.Api;

public class HttpRequestTests
{
    [Fact]
    public void Request_IsOneBuffer_WithHostLengthTypeAndClose()
    {
        var request = new HttpRequest("POST", "/api/v1/jobs") { Body = "{}"u8.ToArray(), ContentType = "application/json" };

        var text = Encoding.ASCII.GetString(request.Encode("127.0.0.1:8080"));

        Assert.StartsWith("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n", text);
        Assert.Contains("\r\nConnection: close\r\n", text);
        Assert.Contains("\r\nContent-Type: application/json\r\n", text);
        Assert.Contains("\r\nContent-Length: 2\r\n", text);
        Assert.EndsWith("\r\n\r\n{}", text);
    }

    [Fact]
    public void Post_WithoutBody_SaysContentLength0()
    {
        var text = Encoding.ASCII.GetString(new HttpRequest("POST", "/api/v1/jobs/3/kill").Encode("h"));

        Assert.Contains("\r\nContent-Length: 0\r\n", text);
    }

    [Fact]
    public void Get_HasNoContentLength()
    {
        var text = Encoding.ASCII.GetString(new HttpRequest("GET", "/api/v1/health").Encode("h"));

        Assert.DoesNotContain("Content-Length", text);
    }
}
