using GoDocker.Server.Notifications;

namespace GoDocker.Server.Tests.Notifications;

/// <summary>
/// The attack: a user who may add a webhook makes the server POST wherever they like from inside the site (SSRF): the
/// cloud metadata service, the database's port, an admin interface on localhost. Only URLs under the site's prefixes pass.
/// </summary>
public sealed class WebhookUrlPolicyTests
{
    private static readonly WebhookUrlPolicy Site = new(["https://hooks.example.org/godocker/", "http://ci.example.org:8080/hook"]);

    [Theory]
    [InlineData("https://hooks.example.org/godocker/ana")]
    [InlineData("https://HOOKS.example.org/godocker/ana/jobs?x=1")]
    [InlineData("http://ci.example.org:8080/hook")]
    [InlineData("http://ci.example.org:8080/hook/ana")]
    public void AUrlUnderAnAllowedPrefix_Passes(string url)
    {
        Assert.Null(Site.Refuse(url));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://127.0.0.1:8080/api/v1/users")]
    [InlineData("http://localhost:5432/")]
    [InlineData("https://hooks.example.org.evil.example/godocker/")]
    [InlineData("https://hooks.example.org@evil.example/godocker/")]
    [InlineData("https://evil.example/?https://hooks.example.org/godocker/")]
    [InlineData("https://hooks.example.org/godocker/../admin")]
    [InlineData("https://hooks.example.org/godocker%2F..%2F..%2Fadmin")]
    [InlineData("https://hooks.example.org/other")]
    [InlineData("http://hooks.example.org/godocker/ana")]
    [InlineData("https://hooks.example.org:8443/godocker/ana")]
    [InlineData("http://ci.example.org:8080/hookevil")]
    [InlineData("http://ci.example.org/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://hooks.example.org/godocker/")]
    [InlineData("/godocker/ana")]
    [InlineData("")]
    public void AnyOtherUrl_IsRefused(string url)
    {
        Assert.NotNull(Site.Refuse(url));
    }

    [Fact]
    public void ASiteThatAllowsNothing_RefusesEveryUserWebhook()
    {
        var none = new WebhookUrlPolicy([]);

        Assert.False(none.UsersMayAdd);
        Assert.NotNull(none.Refuse("https://hooks.example.org/godocker/ana"));
    }
}
