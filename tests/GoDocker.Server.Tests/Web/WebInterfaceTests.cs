using GoDocker.Server.Configuration;
using GoDocker.Server.Web;

namespace GoDocker.Server.Tests.Web;

public sealed class WebInterfaceTests
{
    [Theory]
    [InlineData("/api", true)]
    [InlineData("/api/v1/jobs", true)]
    [InlineData("/API/v1/jobs", true)]
    [InlineData("/api/nope", true)]
    [InlineData("/metrics", true)]
    [InlineData("/metrics/", true)]
    [InlineData("/", false)]
    [InlineData("/jobs/42", false)]
    [InlineData("/assets/index-3f2a.js", false)]
    [InlineData("/apis", false)]
    [InlineData("/metricsx", false)]
    [InlineData("/ui/api", false)]
    public void IsServerPath_TheApiAndMetrics_NotTheApp(string path, bool server) =>
        Assert.Equal(server, WebInterface.IsServerPath(path));

    [Fact]
    public void Root_IsTheUiFolderBesideTheBinary_UnlessConfigured()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "ui"), WebInterface.Root(new ServerOptions()));
        Assert.Equal("/srv/godocker-ui", WebInterface.Root(new ServerOptions { WebRoot = "/srv/godocker-ui" }));
    }
}
