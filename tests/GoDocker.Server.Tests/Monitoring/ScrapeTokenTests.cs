using GoDocker.Server.Monitoring;

namespace GoDocker.Server.Tests.Monitoring;

public sealed class ScrapeTokenTests
{
    // printf %s 's3cret-scrape-token' | sha256sum
    private const string Hash = "ef78d9ff90f42eefd90aad3537e6278f668d3010cce28b0792c9549d1dbfdc51";

    [Theory]
    [InlineData("Bearer s3cret-scrape-token", true)]
    [InlineData("bearer s3cret-scrape-token", true)]
    [InlineData("Bearer  s3cret-scrape-token ", true)]
    [InlineData("Bearer s3cret-scrape-tokeN", false)]
    [InlineData("Bearer ", false)]
    [InlineData("Basic s3cret-scrape-token", false)]
    [InlineData("s3cret-scrape-token", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Admits_OnlyTheTokenWhoseHashIsConfigured(string? authorization, bool admitted)
    {
        var token = new ScrapeToken(Hash.ToUpperInvariant());

        Assert.True(token.Configured);
        Assert.Equal(admitted, token.Admits(authorization));
    }

    [Fact]
    public void Admits_Nothing_WhenNoTokenIsConfigured()
    {
        var token = new ScrapeToken(null);

        Assert.False(token.Configured);
        Assert.False(token.Admits("Bearer "));
        Assert.False(token.Admits("Bearer anything"));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData(Hash, true)]
    [InlineData(" " + Hash + " ", true)]
    [InlineData("s3cret-scrape-token", false)]
    [InlineData("ef78d9ff90f42eefd90aad3537e6278f668d3010cce28b0792c9549d1dbfdc5", false)]
    [InlineData("zf78d9ff90f42eefd90aad3537e6278f668d3010cce28b0792c9549d1dbfdc51", false)]
    public void IsValidHash_TakesOnly64HexDigits_NeverTheTokenItself(string? value, bool valid) => Assert.Equal(valid, ScrapeToken.IsValidHash(value));
}
