using GoDocker.Server.Hosting;
using Xunit;

namespace GoDocker.Server.Tests.Hosting;

public sealed class ServerIdentityTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "/8080/")]
    [InlineData("http://127.0.0.1:8081;http://10.0.0.1:8081", "/8081/")]
    [InlineData(" http://[::1]:9000 ; http://0.0.0.0:9001", "/9000/")]
    [InlineData("not a url", "/0/")]
    public void NamesTheServerByTheHostAndItsFirstListenPort(string listen, string portPart)
    {
        var id = ServerIdentity.New(listen);

        Assert.StartsWith(Environment.MachineName + portPart, id, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoServersOnOnePort_AreStillTwo() =>
        Assert.NotEqual(ServerIdentity.New("http://127.0.0.1:8080"), ServerIdentity.New("http://127.0.0.1:8080"));
}
