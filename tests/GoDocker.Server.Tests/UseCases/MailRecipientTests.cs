using GoDocker.Access;
using GoDocker.Notifications;
using GoDocker.Server.Auth;
using GoDocker.Server.UseCases;

namespace GoDocker.Server.Tests.UseCases;

/// <summary>Who a job's mail goes to, fixed at submit: --mail-user, else the owner's address from their account (LDAP's mail).</summary>
public sealed class MailRecipientTests : UseCaseTest
{
    private static readonly AuthOptions Local = new() { Provider = "local" };

    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Notifications:DefaultMailType"] = "FAIL",
    };

    private async Task AccountAsync(string login, string? email) =>
        await Accounts.SaveUserAsync(new UserAccount
        {
            Identity = new UserIdentity { Login = login, Uid = 1000, Gid = 1000, Home = $"/home/{login}", Email = email },
            Provider = "local",
        }, null, Ct);

    [Fact]
    public async Task WithoutMailUser_TheMailGoesToTheAccountsAddress_WithTheSitesDefaultTypes()
    {
        await AccountAsync("alice", "alice@example.org");

        var job = Assert.IsType<SubmitOutcome.Stored>(await Submission(Local).SubmitAsync(Alice, ASpec(), null, Ct)).First;

        Assert.Equal(("alice@example.org", MailTypes.Fail), (job.Spec.MailUser, job.Spec.MailTypes));
    }

    [Fact]
    public async Task MailUser_Wins_AndAnAccountWithoutAddressGetsNone()
    {
        await AccountAsync("alice", "alice@example.org");
        await AccountAsync("bob", null);

        var alices = Assert.IsType<SubmitOutcome.Stored>(await Submission(Local).SubmitAsync(Alice, ASpec() with { MailUser = "lab@example.org" }, null, Ct)).First;
        var bobs = Assert.IsType<SubmitOutcome.Stored>(await Submission(Local).SubmitAsync(Bob, ASpec(), null, Ct)).First;

        Assert.Equal("lab@example.org", alices.Spec.MailUser);
        Assert.Null(bobs.Spec.MailUser);
    }
}

/// <summary>A site that sends job mail only to each owner's own address.</summary>
public sealed class OwnAddressOnlyTests : UseCaseTest
{
    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["Notifications:MailUserOwnAddressOnly"] = "true",
    };

    [Fact]
    public async Task AnotherAddress_IsRefused_NamingMailUser_TheOwnOneAccepted()
    {
        await Accounts.SaveUserAsync(new UserAccount
        {
            Identity = new UserIdentity { Login = "alice", Uid = 1000, Gid = 1000, Home = "/home/alice", Email = "alice@example.org" },
            Provider = "local",
        }, null, Ct);
        var local = new AuthOptions { Provider = "local" };

        var other = await Submission(local).SubmitAsync(Alice, ASpec() with { MailType = "END", MailUser = "everyone@example.org" }, null, Ct);
        var own = await Submission(local).SubmitAsync(Alice, ASpec() with { MailType = "END", MailUser = "ALICE@example.org" }, null, Ct);

        Assert.Equal("mailUser", Assert.IsType<SubmitOutcome.Forbidden>(other).Field);
        Assert.IsType<SubmitOutcome.Stored>(own);
    }
}
