using GoDocker.Access;
using GoDocker.Server.UseCases;
using GoDocker.Usage;

namespace GoDocker.Server.Tests.UseCases;

public sealed class UsageReportTests : UseCaseTest
{
    private static readonly Caller Member = new("dave", false, new HashSet<string> { "astro" }, new HashSet<string>());

    public static TheoryData<string, AccountKind, string, bool> Visibility => new()
    {
        { "admin", AccountKind.User, "anyone", true },
        { "admin", AccountKind.Project, Project.Default, true },
        { "dave", AccountKind.User, "dave", true },
        { "dave", AccountKind.User, "alice", false },
        { "dave", AccountKind.Project, "astro", true },
        { "dave", AccountKind.Project, "bio", false },
        // The default project sums every user's figures: for admins only.
        { "dave", AccountKind.Project, Project.Default, false },
    };

    [Theory]
    [MemberData(nameof(Visibility))]
    public void MaySee_OwnAndProjects_OrEverythingForAdmins(string caller, AccountKind kind, string name, bool visible) =>
        Assert.Equal(visible, UsageReport.MaySee(caller == "admin" ? Admin : Member, kind, name));

    [Fact]
    public async Task For_AnotherUsersOrAProjectNotTheirs_IsRefused()
    {
        Assert.IsType<UsageOutcome.NotYours>(await Usage().ForAsync(Member, "alice", null, Ct));
        Assert.IsType<UsageOutcome.NotYours>(await Usage().ForAsync(Member, null, "bio", Ct));
        Assert.IsType<UsageOutcome.NotYours>(await Usage().ForAsync(Member, null, Project.Default, Ct));
    }

    [Fact]
    public async Task For_ACaller_ListsOnlyWhatTheyMaySee_WithTheirPendingJobs()
    {
        await SubmittedAsync(Alice);
        await SubmittedAsync(Alice);
        await SubmittedAsync(Bob);

        var alices = await ReportAsync(Alice, null);
        var admins = await ReportAsync(Admin, null);

        var row = Assert.Single(alices);
        Assert.Equal(("user", "alice", 2), (row.Kind, row.Name, row.PendingJobs));
        Assert.Equal(["user/alice", "user/bob", "project/default"], admins.Select(v => $"{v.Kind}/{v.Name}"));
        Assert.Equal(3, admins.Single(v => v.Kind == "project").PendingJobs);
    }

    [Fact]
    public async Task For_AFilter_ListsThatAccountOnly()
    {
        await SubmittedAsync(Alice);
        await SubmittedAsync(Bob);

        var report = await ReportAsync(Admin, "bob");

        Assert.Equal("bob", Assert.Single(report).Name);
    }

    private async Task<IReadOnlyList<GoDocker.Contracts.AccountUsageView>> ReportAsync(Caller caller, string? user) =>
        Assert.IsType<UsageOutcome.Report>(await Usage().ForAsync(caller, user, null, Ct)).Accounts;
}
