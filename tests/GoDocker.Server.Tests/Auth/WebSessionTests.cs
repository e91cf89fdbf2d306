using GoDocker.Server.Auth;

namespace GoDocker.Server.Tests.Auth;

public sealed class WebSessionTests
{
    private const string Secret = "gd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public void CsrfToken_IsTheSameForASecret_OtherForAnother_AndUrlSafe()
    {
        var token = WebSession.CsrfToken(Secret);

        Assert.Equal(token, WebSession.CsrfToken(Secret));
        Assert.NotEqual(token, WebSession.CsrfToken(Secret + "B"));
        Assert.Equal(43, token.Length);
        Assert.DoesNotContain(token, c => c is '+' or '/' or '=');
        // Derived, not the secret itself: the value script reads gives nothing that logs in.
        Assert.DoesNotContain(Secret["gd_".Length..], token, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc123", "abc123", true)]
    [InlineData("abc123", "abc124", false)]
    [InlineData("abc123", "abc12", false)]
    [InlineData("abc123", "abc1234", false)]
    [InlineData("abc123", "", false)]
    [InlineData("abc123", null, false)]
    [InlineData("", "", false)]
    [InlineData(null, null, false)]
    public void CsrfMatches_OnlyTheExpectedValue_NeverAnEmptyOne(string? expected, string? sent, bool matches) =>
        Assert.Equal(matches, WebSession.CsrfMatches(expected, sent));

    [Theory]
    [InlineData("POST", true)]
    [InlineData("PUT", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    [InlineData("delete", true)]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("OPTIONS", false)]
    public void ChangesState_TheWritingMethods(string method, bool changes) =>
        Assert.Equal(changes, WebSession.ChangesState(method));
}
