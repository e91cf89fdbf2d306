using GoDocker.Access;
using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Access;

public sealed class AccessPolicyTests
{
    private static readonly AccessPolicy Policy = new()
    {
        AllowedImages = ["godocker/*", "debian:bookworm", "python"],
        AnyImage = new Grant { Groups = ["developers"] },
        Root = new Grant { Users = ["carol"] },
    };

    private static Caller User(string login, string[]? projects = null, string[]? manages = null, string[]? groups = null, bool admin = false) =>
        new(login, admin, (projects ?? []).ToHashSet(), (manages ?? []).ToHashSet()) { Groups = (groups ?? []).ToHashSet() };

    private static Job JobOf(string owner, string project) => new()
    {
        Id = 1,
        Owner = owner,
        State = JobState.Pending,
        SubmittedAt = DateTimeOffset.UnixEpoch,
        Spec = new ResolvedJobSpec { Name = "j", Image = "godocker/busybox:latest", Cpus = 1, MemoryBytes = 1 << 20, Project = project },
    };

    public static TheoryData<string, bool, bool> Viewers => new()
    {
        // caller, may see, may control (a job of alice in project genomics)
        { "alice", true, true },
        { "bob-member", false, false },
        { "carol-manager", true, true },
        { "dave-outsider", false, false },
        { "root-admin", true, true },
    };

    private static Caller Named(string who) => who switch
    {
        "alice" => User("alice", ["genomics"]),
        "bob-member" => User("bob", ["genomics"]),
        "carol-manager" => User("carol", manages: ["genomics"]),
        "dave-outsider" => User("dave"),
        _ => User("root", admin: true),
    };

    [Theory]
    [MemberData(nameof(Viewers))]
    public void SeeAndControl_FollowOwnershipManagementAndAdmin(string who, bool see, bool control)
    {
        var job = JobOf("alice", "genomics");

        Assert.Equal(see, Policy.CanSee(Named(who), job));
        Assert.Equal(control, Policy.CanControl(Named(who), job));
    }

    [Fact]
    public void Managers_SeeButDoNotControl_WhenSharingIsOff()
    {
        var policy = new AccessPolicy { ManagersControlProjectJobs = false };

        Assert.True(policy.CanSee(Named("carol-manager"), JobOf("alice", "genomics")));
        Assert.False(policy.CanControl(Named("carol-manager"), JobOf("alice", "genomics")));
    }

    [Fact]
    public void Managers_DoNotSeeJobsOfOtherProjects()
    {
        Assert.False(Policy.CanSee(Named("carol-manager"), JobOf("alice", Project.Default)));
    }

    [Theory]
    [InlineData("default", null)]
    [InlineData("genomics", null)]
    [InlineData("physics", "you are not a member of project 'physics'")]
    public void Submit_NeedsMembership_DefaultIsEveryones(string project, string? refusal)
    {
        Assert.Equal(refusal, Policy.RefuseSubmit(User("alice", ["genomics"]), project));
        Assert.Null(Policy.RefuseSubmit(User("root", admin: true), "physics"));
    }

    [Theory]
    [InlineData("godocker/busybox:latest", true)]
    [InlineData("godocker/team/tool:1.2", true)]
    [InlineData("debian:bookworm", true)]
    [InlineData("debian:trixie", false)]
    [InlineData("python:latest", true)]
    [InlineData("python:3.12", false)]
    [InlineData("evil/godocker/x:latest", false)]
    [InlineData("godocker:latest", false)]
    [InlineData("debian:bookworm\n", false)]     // $ would match before the final newline
    [InlineData("godocker/busybox\n", false)]
    public void Images_MatchTheAllowedPatterns(string image, bool allowed)
    {
        var refusal = Policy.RefuseImage(User("alice"), image);

        Assert.Equal(allowed, refusal is null);
        if (!allowed)
        {
            Assert.Contains("godocker/*, debian:bookworm, python", refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnyImage_IsGrantedByGroup()
    {
        Assert.Null(Policy.RefuseImage(User("erin", groups: ["developers"]), "my/own:1"));
        Assert.NotNull(Policy.RefuseImage(User("erin", groups: ["users"]), "my/own:1"));
    }

    [Fact]
    public void Root_OnlyWhereGranted_NotEvenForAdmins()
    {
        Assert.Null(Policy.RefuseRoot(User("carol")));
        Assert.NotNull(Policy.RefuseRoot(User("alice")));
        Assert.NotNull(Policy.RefuseRoot(User("root", admin: true)));
        Assert.Null(new AccessPolicy { Root = new Grant { Everyone = true } }.RefuseRoot(User("anyone")));
    }
}
