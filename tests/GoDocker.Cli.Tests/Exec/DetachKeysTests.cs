using GoDocker.Cli.Exec;

namespace GoDocker.Cli.Tests.Exec;

public sealed class DetachKeysTests
{
    private const byte CtrlP = 0x10;
    private const byte CtrlQ = 0x11;

    private static (bool Detach, byte[] Sent) Filter(DetachKeys keys, params byte[] input)
    {
        var sent = new List<byte>();
        var detach = keys.Filter(input, sent);
        return (detach, sent.ToArray());
    }

    [Fact]
    public void TheDefault_CtrlPCtrlQ_Detaches_AndNothingOfItIsSent()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var (detach, sent) = Filter(keys, (byte)'l', (byte)'s', CtrlP, CtrlQ, (byte)'x');

        Assert.True(detach);
        Assert.Equal("ls"u8.ToArray(), sent);
    }

    [Fact]
    public void ASequenceSplitAcrossReads_StillDetaches_AndItsFirstKeyIsHeldBackMeanwhile()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var first = Filter(keys, (byte)'a', CtrlP);
        var second = Filter(keys, CtrlQ);

        Assert.False(first.Detach);
        Assert.Equal("a"u8.ToArray(), first.Sent);
        Assert.True(second.Detach);
        Assert.Empty(second.Sent);
    }

    [Fact]
    public void AFirstKeyNotFollowedByTheSecond_IsSentAsTyped_ThenTheNextKey()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var held = Filter(keys, CtrlP);
        var (detach, sent) = Filter(keys, (byte)'x');

        Assert.Empty(held.Sent);
        Assert.False(detach);
        Assert.Equal([CtrlP, (byte)'x'], sent);
    }

    [Fact]
    public void TwoFirstKeysThenTheSecond_SendOneAndDetach()
    {
        var keys = DetachKeys.Parse(DetachKeys.Default);

        var (detach, sent) = Filter(keys, CtrlP, CtrlP, CtrlQ);

        Assert.True(detach);
        Assert.Equal([CtrlP], sent);
    }

    [Theory]
    [InlineData("ctrl-a,x", new byte[] { 1, (byte)'x' })]
    [InlineData("ctrl-@", new byte[] { 0 })]
    [InlineData("CTRL-Z", new byte[] { 26 })]
    [InlineData("ctrl-\\,ctrl-_", new byte[] { 28, 31 })]
    public void Parse_ReadsDockersNotation(string text, byte[] sequence)
    {
        var keys = DetachKeys.Parse(text);

        var (detach, sent) = Filter(keys, sequence);

        Assert.True(detach);
        Assert.Empty(sent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ctrl-")]
    [InlineData("ctrl-1")]
    [InlineData("ab")]
    [InlineData("ctrl-p,,ctrl-q")]
    public void Parse_RefusesWhatIsNotAKey(string text) =>
        Assert.Throws<UsageException>(() => DetachKeys.Parse(text));
}
