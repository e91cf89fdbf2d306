using System.Text;
using GoDocker.Contracts;
using GoDocker.Execution;

namespace GoDocker.Core.Tests.Contracts;

public sealed class ExecProtocolTests
{
    [Fact]
    public void Frame_PutsTheChannelFirst_ThenTheBytesAsGiven()
    {
        Assert.Equal([1, (byte)'h', (byte)'i', 0, 255], ExecProtocol.Frame(ExecProtocol.Stdout, [(byte)'h', (byte)'i', 0, 255]));
        Assert.Equal([ExecProtocol.Stdin], ExecProtocol.Frame(ExecProtocol.Stdin, []));
        Assert.Equal([255, 0], ExecProtocol.CloseStdinFrame());
    }

    [Fact]
    public void Resize_RoundTrips_AsColsAndRowsJson()
    {
        var frame = ExecProtocol.ResizeFrame(new TerminalSize(132, 43));

        Assert.Equal(ExecProtocol.Resize, frame[0]);
        Assert.Equal("""{"cols":132,"rows":43}""", Encoding.UTF8.GetString(frame, 1, frame.Length - 1));
        Assert.True(ExecProtocol.TryParseResize(frame.AsSpan(1), out var size));
        Assert.Equal(new TerminalSize(132, 43), size);
    }

    [Theory]
    [InlineData("""{"cols":0,"rows":24}""")]
    [InlineData("""{"cols":80,"rows":-1}""")]
    [InlineData("""{"cols":80,"rows":10001}""")]
    [InlineData("""{"cols":80}""")]
    [InlineData("""{"cols":"80","rows":24}""")]
    [InlineData("""{"cols":80.5,"rows":24}""")]
    [InlineData("""[80,24]""")]
    [InlineData("""{"cols":80,"rows":24""")]
    [InlineData("")]
    public void Resize_ThatIsNotTwoSizesInRange_IsRefused(string json)
    {
        Assert.False(ExecProtocol.TryParseResize(Encoding.UTF8.GetBytes(json), out _));
    }

    [Theory]
    [InlineData(ExecStatus.Exited, 0, true)]
    [InlineData(ExecStatus.Exited, 3, false)]
    [InlineData(ExecStatus.IdleTimeout, null, false)]
    public void Status_RoundTrips_WithTheExitCodeWhenThereIsOne(string reason, int? exitCode, bool success)
    {
        var status = new ExecStatus(reason, exitCode, "said");
        var frame = ExecProtocol.StatusFrame(status);

        Assert.Equal(ExecProtocol.Status, frame[0]);
        Assert.Equal(status, ExecProtocol.ParseStatus(frame.AsSpan(1)));
        Assert.Equal(success, status.Success);
        Assert.Contains(success ? "\"status\":\"Success\"" : "\"status\":\"Failure\"", Encoding.UTF8.GetString(frame), StringComparison.Ordinal);
        Assert.Equal(exitCode is not null, Encoding.UTF8.GetString(frame).Contains("exitCode", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"exitCode":1}""")]
    [InlineData("""{"reason":3}""")]
    public void Status_ThatIsNotOne_ParsesAsNull(string json)
    {
        Assert.Null(ExecProtocol.ParseStatus(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData(new[] { "id", "-u" }, "id -u")]
    [InlineData(new[] { "sh", "-c", "echo hi; exit 3" }, "sh -c 'echo hi; exit 3'")]
    [InlineData(new[] { "echo", "it's" }, "echo 'it'\\''s'")]
    [InlineData(new[] { "printf", "" }, "printf ''")]
    public void Display_QuotesWordsAShellWouldSplit(string[] command, string shown)
    {
        Assert.Equal(shown, ExecProtocol.Display(command));
    }
}
