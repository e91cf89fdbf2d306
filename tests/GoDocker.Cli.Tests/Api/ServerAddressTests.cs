using GoDocker.Cli.Api;

namespace GoDocker.Cli.Tests.Api;

public class ServerAddressTests
{
    [Fact]
    public void Url_FlagWins_OverTheEnvironment()
    {
        Assert.Equal("http://flag:1/", ServerAddress.Resolve("http://flag:1", "http://env:2").ToString());
    }

    [Fact]
    public void Url_Environment_WinsOverTheDefault()
    {
        Assert.Equal("http://env:2/", ServerAddress.Resolve(null, "http://env:2").ToString());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData(" ", null)]
    public void Url_NeitherGiven_IsTheLocalDefault(string? flag, string? environment)
    {
        Assert.Equal("http://127.0.0.1:8080/", ServerAddress.Resolve(flag, environment).ToString());
    }

    [Fact]
    public void Url_WithoutScheme_MeansHttp()
    {
        Assert.Equal("http://10.0.0.5:8080/", ServerAddress.Resolve("10.0.0.5:8080", null).ToString());
    }

    [Fact]
    public void Url_WithAPathPrefix_KeepsIt()
    {
        Assert.Equal("/godocker/", ServerAddress.Resolve("https://gateway/godocker/", null).AbsolutePath);
    }

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("http://host/?q=1")]
    [InlineData("http://")]
    public void Url_NotHttp_IsAUsageError_NamingWhereItCameFrom(string bad)
    {
        var e = Assert.Throws<UsageException>(() => ServerAddress.Resolve(null, bad));
        Assert.StartsWith("GODOCKER_URL:", e.Message);
    }

    [Fact]
    public void Url_IsDisplayed_WithoutTrailingSlash()
    {
        Assert.Equal("http://127.0.0.1:8080", ServerAddress.Display(ServerAddress.Resolve(null, null)));
    }
}
