using GoDocker.Access;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>What every <see cref="IAccountStore"/> does, run against each store (SQLite, PostgreSQL) by a subclass.</summary>
public abstract class AccountStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly CancellationToken Ct = CancellationToken.None;
    private IAccountStore? accounts;

    protected FakeTimeProvider Time { get; } = new(Start);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Opens the store under test on a fresh database, with <see cref="Time"/> as its clock.</summary>
    protected abstract Task<IAccountStore> OpenAccountsAsync();

    private async Task<IAccountStore> AccountsAsync() => accounts ??= await OpenAccountsAsync();

    private static UserAccount Alice(bool admin = false, bool disabled = false) => new()
    {
        Identity = new UserIdentity
        {
            Login = "alice", Uid = 2001, Gid = 2001, SecondaryGids = [3001, 3002], Groups = ["genomics", "staff"],
            Home = "/home/alice", Email = "alice@example.org",
        },
        Admin = admin,
        Disabled = disabled,
        Provider = "local",
    };

    [Fact]
    public async Task SavedUser_ReadsBackWhole_AndAnUpdateKeepsThePasswordWhenNoneIsGiven()
    {
        var store = await AccountsAsync();
        await store.SaveUserAsync(Alice(), "hash-1", Ct);

        await store.SaveUserAsync(Alice(admin: true), null, Ct);
        var read = await store.GetUserAsync("alice", Ct);

        Assert.NotNull(read);
        Assert.True(read!.Admin);
        Assert.Equal([3001, 3002], read.Identity.SecondaryGids);
        Assert.Equal(["genomics", "staff"], read.Identity.Groups);
        Assert.Equal(("/home/alice", "alice@example.org", 2001, 2001), (read.Identity.Home, read.Identity.Email, read.Identity.Uid, read.Identity.Gid));
        Assert.Equal("hash-1", await store.GetPasswordHashAsync("alice", Ct));
        Assert.Null(await store.GetUserAsync("nobody", Ct));
    }

    [Fact]
    public async Task Projects_KeepMembersAndManagers_AndTheDefaultProjectExists()
    {
        var store = await AccountsAsync();
        await store.SaveProjectAsync(new Project { Name = "genomics", Priority = 5, Members = ["alice", "bob"], Managers = ["carol"] }, Ct);
        await store.SaveProjectAsync(new Project { Name = "physics", Members = ["bob"] }, Ct);

        var genomics = await store.GetProjectAsync("genomics", Ct);
        var ofBob = await store.ProjectsOfAsync("bob", Ct);
        var ofCarol = await store.ProjectsOfAsync("carol", Ct);

        Assert.Equal(["alice", "bob"], genomics!.Members);
        Assert.Equal(["carol"], genomics.Managers);
        Assert.Equal(5, genomics.Priority);
        Assert.Equal(["genomics", "physics"], ofBob.Select(p => p.Name));
        Assert.Equal(["genomics"], ofCarol.Select(p => p.Name));
        Assert.Contains(await store.ListProjectsAsync(Ct), p => p.Name == Project.Default);
    }

    [Fact]
    public async Task Tokens_WorkUntilRevokedOrExpired()
    {
        var store = await AccountsAsync();
        var forever = await store.AddTokenAsync("alice", "laptop", "h-forever", null, Ct);
        await store.AddTokenAsync("alice", "short", "h-short", Start.AddHours(1), Ct);

        Assert.Equal(forever, (await store.UseTokenAsync("h-forever", Ct))!.Id);
        Assert.NotNull(await store.UseTokenAsync("h-short", Ct));
        Assert.Null(await store.UseTokenAsync("h-unknown", Ct));

        Time.Advance(TimeSpan.FromHours(2));
        Assert.Null(await store.UseTokenAsync("h-short", Ct));

        Assert.False(await store.RevokeTokenAsync("bob", forever, Ct));
        Assert.True(await store.RevokeTokenAsync("alice", forever, Ct));
        Assert.Null(await store.UseTokenAsync("h-forever", Ct));
        var listed = await store.ListTokensAsync("alice", Ct);
        Assert.Equal([("laptop", true), ("short", false)], listed.Select(t => (t.Name, t.Revoked)));
        Assert.NotNull(listed[0].LastUsedAt);
    }
}
