using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Sockets;
using GoDocker.LdapTests.Infrastructure;
using static GoDocker.LdapTests.Infrastructure.SeededDirectory;

namespace GoDocker.LdapTests;

/// <summary>A directory that cannot answer must never look like a wrong password: exceptions, not null.</summary>
public sealed class FaultTests(Slapd slapd) : LdapTest(slapd)
{
    [Fact]
    public async Task Authenticate_UnreachableDirectory_Throws_NotNull()
    {
        var url = $"ldap://127.0.0.1:{Slapd.FreePort()}";
        var closed = Provider(Slapd.Options() with { Url = url });

        var fault = await Assert.ThrowsAsync<LdapException>(() => closed.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());

        Assert.Contains(url, fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_UnreachableDirectory_Throws_NotNull()
    {
        var closed = Provider(Slapd.Options() with { Url = $"ldap://127.0.0.1:{Slapd.FreePort()}", BindDn = null, BindPassword = null });

        await Assert.ThrowsAsync<LdapException>(() => closed.FindAsync(Alice, Ct).AsTask());
    }

    [Fact]
    public async Task Authenticate_RefusedServiceAccount_Throws_NotNull()
    {
        var misconfigured = Provider(Slapd.Options() with { BindPassword = "not-" + ReaderPassword });

        var fault = await Assert.ThrowsAsync<InvalidOperationException>(() => misconfigured.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());

        Assert.Contains(Reader, fault.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => misconfigured.FindAsync(Alice, Ct).AsTask());
    }

    [Fact]
    public async Task Authenticate_UserBaseDnThatDoesNotExist_Throws_NotNull()
    {
        var misconfigured = Provider(Slapd.Options() with { UserBaseDn = "ou=nowhere," + Suffix });

        var fault = await Assert.ThrowsAsync<InvalidOperationException>(() => misconfigured.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());

        Assert.Contains("NoSuchObject", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_DirectoryThatNeverAnswers_TimesOutAfterTimeout()
    {
        // Accepts the connection and says nothing: only our own bound stops the wait.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptSocketAsync();
        var provider = Provider(Slapd.Options() with { Url = $"ldap://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", Timeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(() => provider.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        (await accepted).Dispose();
    }

    [Fact]
    public async Task Authenticate_Cancelled_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider().AuthenticateAsync(Alice, AlicePassword, cancelled.Token).AsTask());
    }
}
