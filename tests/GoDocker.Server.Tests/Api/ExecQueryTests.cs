using GoDocker.Execution;
using GoDocker.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace GoDocker.Server.Tests.Api;

public sealed class ExecQueryTests
{
    private static QueryCollection Query(string text) => new QueryCollection(QueryHelpers.ParseQuery(text));

    [Fact]
    public void Command_IsEveryCommandParameter_InOrder_WithoutATtyOrStdinByDefault()
    {
        Assert.True(ExecQuery.TryParse(Query("?command=sh&command=-c&command=echo%20a%20b"), out var parsed, out _));

        Assert.Equal(["sh", "-c", "echo a b"], parsed!.Command);
        Assert.False(parsed.Tty);
        Assert.False(parsed.Stdin);
        Assert.Null(parsed.Size);
    }

    [Fact]
    public void ATty_TakesItsStartingSize()
    {
        Assert.True(ExecQuery.TryParse(Query("?command=sh&tty=true&stdin=1&cols=132&rows=43"), out var parsed, out _));

        Assert.True(parsed!.Tty);
        Assert.True(parsed.Stdin);
        Assert.Equal(new TerminalSize(132, 43), parsed.Size);
    }

    [Theory]
    [InlineData("", "command")]
    [InlineData("?command=", "command")]
    [InlineData("?tty=true", "command")]
    [InlineData("?command=a%00b", "command")]
    [InlineData("?command=sh&tty=yes", "tty")]
    [InlineData("?command=sh&tty=true&tty=false", "tty")]
    [InlineData("?command=sh&stdin=2", "stdin")]
    [InlineData("?command=sh&tty=true&cols=80", "rows")]
    [InlineData("?command=sh&tty=true&rows=24", "cols")]
    [InlineData("?command=sh&cols=80&rows=24", "cols")]
    [InlineData("?command=sh&tty=true&cols=0&rows=24", "cols")]
    [InlineData("?command=sh&tty=true&cols=80&rows=10001", "rows")]
    [InlineData("?command=sh&tty=true&cols=-1&rows=24", "cols")]
    [InlineData("?command=sh&tty=true&cols=8x&rows=24", "cols")]
    public void ABadQuery_IsRefused_NamingTheField(string query, string field)
    {
        Assert.False(ExecQuery.TryParse(Query(query), out var parsed, out var errors));

        Assert.Null(parsed);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void TooManyWords_OrTooLongACommand_IsRefused()
    {
        var words = string.Concat(Enumerable.Repeat("&command=x", ExecQuery.MaxWords + 1));
        var longWord = "?command=" + new string('x', ExecQuery.MaxCommandChars + 1);

        Assert.False(ExecQuery.TryParse(Query("?" + words[1..]), out _, out var tooMany));
        Assert.False(ExecQuery.TryParse(Query(longWord), out _, out var tooLong));
        Assert.Contains("command", tooMany.Keys);
        Assert.Contains("command", tooLong.Keys);
    }
}
