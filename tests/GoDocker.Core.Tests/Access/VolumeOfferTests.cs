using GoDocker.Access;

namespace GoDocker.Core.Tests.Access;

/// <summary>What the submit form offers must be exactly what <see cref="VolumePolicy.Plan"/> would grant.</summary>
public sealed class VolumeOfferTests
{
    private static readonly IReadOnlyList<VolumeRule> Rules =
    [
        new() { Name = "home", HostPath = "{home}", AllowedRoot = "/home" },
        new() { Name = "refs", HostPath = "/data/refs", ContainerPath = "/refs", ReadOnly = true, AllowedRoot = "/data", Who = new Grant { Groups = ["bio"] } },
        new() { Name = "genomics", HostPath = "/data/{project}", AllowedRoot = "/data", Who = Grant.Nobody, Projects = ["genomics", "physics"] },
        new() { Name = "admins", HostPath = "/srv", AllowedRoot = "/srv", Who = new Grant { Users = ["root"] } },
    ];

    private static Caller User(string login, string[] projects, string[]? groups = null) =>
        new(login, false, projects.ToHashSet(), new HashSet<string>()) { Groups = (groups ?? []).ToHashSet() };

    [Theory]
    [InlineData("alice", new string[0], new string[0], "home")]
    [InlineData("bob", new[] { "bio" }, new[] { "genomics" }, "home,refs,genomics")]
    [InlineData("carol", new string[0], new[] { "physics", "chemistry" }, "home,genomics")]
    [InlineData("root", new string[0], new string[0], "home,admins")]
    public void OffersWhatPlanGrants(string login, string[] groups, string[] projects, string offered)
    {
        var caller = User(login, projects, groups);
        var offers = VolumePolicy.Offered(Rules, caller);

        Assert.Equal(offered, string.Join(',', offers.Select(o => o.Name)));
        var owner = new UserIdentity { Login = login, Uid = 1000, Gid = 1000, Home = $"/home/{login}" };
        foreach (var rule in Rules)
        {
            var offer = offers.SingleOrDefault(o => o.Name == rule.Name);
            // Offered to the user as such: granted in the default project; offered through projects: granted there only.
            var project = offer is { Projects.Count: > 0 } ? offer.Projects[0] : "default";
            var (_, refusal) = VolumePolicy.Plan([rule.Name], Rules, caller, owner, project, root: false);
            Assert.Equal(offer is not null, refusal is null);
        }
    }

    [Fact]
    public void AProjectVolumeNamesOnlyTheCallersProjects_AndShowsItsContainerPathAndMode()
    {
        var offer = Assert.Single(VolumePolicy.Offered(Rules, User("carol", ["physics", "chemistry"])), o => o.Name == "genomics");
        Assert.Equal(["physics"], offer.Projects);

        var refs = Assert.Single(VolumePolicy.Offered(Rules, User("bob", [], ["bio"])), o => o.Name == "refs");
        Assert.Equal("/refs", refs.ContainerPath);
        Assert.True(refs.ReadOnly);
        Assert.Empty(refs.Projects);
    }
}
