using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.Core.Tests.Usage;

public sealed class QuotaTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void Over_TakesOwnLimitsWhereSet_AndTheFallbacksElsewhere()
    {
        var own = new Quota { MaxCpus = 8, MaxGpus = 0 };
        var fallback = new Quota { MaxCpus = 4, MaxRunningJobs = 10, MaxMemoryBytes = 64 * GiB, MaxCpuHours = 100, MaxPendingJobs = 1000, MaxGpus = 2 };

        var merged = own.Over(fallback);

        Assert.Equal(new Quota { MaxCpus = 8, MaxGpus = 0, MaxRunningJobs = 10, MaxMemoryBytes = 64 * GiB, MaxCpuHours = 100, MaxPendingJobs = 1000 }, merged);
        Assert.Equal(fallback, Quota.Unlimited.Over(fallback));
        Assert.Equal(own, own.Over(Quota.Unlimited));
    }

    [Fact]
    public void IsUnlimited_OnlyWithoutAnyLimit()
    {
        Assert.True(Quota.Unlimited.IsUnlimited);
        Assert.True(new Quota().IsUnlimited);
        Assert.True(Quota.Unlimited.Over(Quota.Unlimited).IsUnlimited);
        Assert.False(new Quota { MaxPendingJobs = 5 }.IsUnlimited);
        Assert.False(new Quota { MaxGpus = 0 }.IsUnlimited);
    }

    public static TheoryData<Quota, Holding, double, long, int, string?> Requests() => new()
    {
        // quota, holding now, request (cpus, bytes, gpus) -> reason or null
        { Quota.Unlimited, new Holding(1000, new Resources(1000, 1000 * GiB, 100)), 64, 512 * GiB, 8, null },
        { new Quota { MaxRunningJobs = 2 }, new Holding(1, new Resources(1, GiB, 0)), 1, GiB, 0, null },
        { new Quota { MaxRunningJobs = 2 }, new Holding(2, new Resources(2, 2 * GiB, 0)), 1, GiB, 0, "2/2 jobs running" },
        { new Quota { MaxRunningJobs = 0 }, Holding.None, 1, GiB, 0, "0/0 jobs running" },
        { new Quota { MaxCpus = 4 }, new Holding(3, new Resources(3, 0, 0)), 1, 0, 0, null },
        { new Quota { MaxCpus = 4 }, new Holding(3, new Resources(3, 0, 0)), 1.5, 0, 0, "3/4 cpus running, this job asks 1.5" },
        { new Quota { MaxMemoryBytes = 4 * GiB }, new Holding(1, new Resources(1, 3 * GiB, 0)), 1, GiB, 0, null },
        { new Quota { MaxMemoryBytes = 4 * GiB }, new Holding(1, new Resources(1, 3 * GiB, 0)), 1, 2 * GiB, 0, "3 GiB/4 GiB memory running, this job asks 2 GiB" },
        { new Quota { MaxGpus = 1 }, new Holding(1, new Resources(1, 0, 1)), 1, 0, 0, null },
        { new Quota { MaxGpus = 1 }, new Holding(1, new Resources(1, 0, 1)), 1, 0, 1, "1/1 gpus running, this job asks 1" },
        // The first limit hit is named: jobs, then cpus, memory, gpus.
        { new Quota { MaxRunningJobs = 1, MaxCpus = 1, MaxGpus = 0 }, new Holding(1, new Resources(1, 0, 0)), 1, 0, 1, "1/1 jobs running" },
        { new Quota { MaxCpus = 1, MaxMemoryBytes = GiB }, new Holding(1, new Resources(1, GiB, 0)), 1, GiB, 0, "1/1 cpus running, this job asks 1" },
        // cpu-hours do not limit what runs now
        { new Quota { MaxCpuHours = 0 }, new Holding(5, new Resources(5, 0, 0)), 1, 0, 0, null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Exceeds_NamesTheFirstLimitTheRequestWouldPass(Quota quota, Holding holding, double cpus, long bytes, int gpus, string? expected)
    {
        Assert.Equal(expected, holding.Exceeds(quota, new Resources(cpus, bytes, gpus)));
    }

    [Fact]
    public void Exceeds_ToleratesFloatingPointSums_OfFractionalCpus()
    {
        var holding = Holding.None;
        for (var i = 0; i < 19; i++)
        {
            holding = holding.Plus(new Resources(0.1, 0, 0));
        }
        Assert.True(holding.Held.Cpus + 0.1 > 2, "the sum must overshoot in binary floating point for this test to mean anything");

        Assert.Null(holding.Exceeds(new Quota { MaxCpus = 2 }, new Resources(0.1, 0, 0)));
        Assert.NotNull(holding.Exceeds(new Quota { MaxCpus = 2 }, new Resources(0.11, 0, 0)));
    }

    [Fact]
    public void Plus_CountsOneMoreJob_AndItsResources()
    {
        Assert.Equal(new Holding(2, new Resources(3.5, 3 * GiB, 1)), Holding.None.Plus(new Resources(1, GiB, 0)).Plus(new Resources(2.5, 2 * GiB, 1)));
    }

    [Fact]
    public void QuotaBook_GivesAnAccountItsOwnLimits_OverTheDefaults()
    {
        var book = new QuotaBook
        {
            UserDefault = new Quota { MaxRunningJobs = 10, MaxCpus = 16 },
            ProjectDefault = new Quota { MaxGpus = 2 },
            Users = new Dictionary<string, Quota> { ["alice"] = new Quota { MaxCpus = 64 } },
            Projects = new Dictionary<string, Quota> { ["ml"] = new Quota { MaxGpus = 8, MaxMemoryBytes = GiB } },
        };

        Assert.Equal(new Quota { MaxRunningJobs = 10, MaxCpus = 64 }, book.ForUser("alice"));
        Assert.Equal(new Quota { MaxRunningJobs = 10, MaxCpus = 16 }, book.ForUser("bob"));
        Assert.Equal(new Quota { MaxGpus = 8, MaxMemoryBytes = GiB }, book.ForProject("ml"));
        Assert.Equal(new Quota { MaxGpus = 2 }, book.ForProject("other"));
        Assert.True(QuotaBook.None.ForUser("anyone").IsUnlimited);
        Assert.True(QuotaBook.None.ForProject("any").IsUnlimited);
    }
}
