using GoDocker.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// A browser test class's fixture: a real server process of its own (as <see cref="ServerFixture"/>) and the run's
/// shared chromium. Override <see cref="Settings"/> for a server configured otherwise (e.g. with logins).
/// </summary>
public class WebFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl => Server.BaseUrl;
    public GoDockerApi Api => Server.Api;

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public virtual async Task InitializeAsync()
    {
        // Both take seconds: side by side.
        var settings = new Dictionary<string, string>(Chromium.ServerSettings);
        foreach (var (key, value) in Settings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var server = ServerProcess.StartAsync(settings, listenHost: Chromium.ServerListenHosts);
        var browser = Chromium.SharedAsync();
        Server = await server;
        Browser = await browser;
    }

    /// <summary>The server only: the browser is the run's, closed when the test process ends.</summary>
    public virtual async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
