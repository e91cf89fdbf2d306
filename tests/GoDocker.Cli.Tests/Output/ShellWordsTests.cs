using GoDocker.Cli.Output;

namespace GoDocker.Cli.Tests.Output;

public class ShellWordsTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$HOME", "'$HOME'")]
    public void Quote_LeavesSafeWordsBare_AndSingleQuotesTheRest(string word, string quoted)
    {
        Assert.Equal(quoted, ShellWords.Quote(word));
    }
}
