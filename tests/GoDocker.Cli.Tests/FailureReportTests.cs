using System.Net.Sockets;
using System.Text.Json;
using GoDocker.Cli.Api;

namespace GoDocker.Cli.Tests;

public class FailureReportTests
{
    [Fact]
    public void UnreachableServer_Exits3_WithOneLineNamingTheAddressAndTheWayOut()
    {
        var e = new ServerUnreachableException(new Uri("http://127.0.0.1:8080/"), "connection refused", new SocketException((int)SocketError.ConnectionRefused));

        var (code, line) = FailureReport.Describe(e);

        Assert.Equal(3, code);
        Assert.Equal(
            "godocker: cannot reach the GoDocker server at http://127.0.0.1:8080 (connection refused); is it running? (set GODOCKER_URL or --url)",
            line);
    }

    [Fact]
    public void UsageError_Exits2()
    {
        Assert.Equal((2, "godocker: bad"), FailureReport.Describe(new UsageException("bad")));
    }

    [Fact]
    public void CtrlC_Exits130_Silently()
    {
        Assert.Equal((130, null), FailureReport.Describe(new TaskCanceledException()));
    }

    [Fact]
    public void UnreadableReply_Exits1_WithOneLine()
    {
        var (code, line) = FailureReport.Describe(new JsonException("'<' is an invalid start of a value."));

        Assert.Equal(1, code);
        Assert.Equal("godocker: the server's reply could not be read: '<' is an invalid start of a value.", line);
    }

    [Fact]
    public void AnyOtherFault_Exits1_WithItsMessageAlone_NeverAStackTrace()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("disk full");
        }
        catch (Exception e)
        {
            thrown = e;
        }

        var (code, line) = FailureReport.Describe(thrown);

        Assert.Equal(1, code);
        Assert.Equal("godocker: disk full", line);
    }
}
