using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ResourcesTests
{
    private const long GiB = 1L << 30;

    public static TheoryData<Resources, Resources, bool> Fits() => new()
    {
        // request, available -> fits
        { new(4, 16 * GiB, 0), new(4, 16 * GiB, 0), true },                   // exactly at the edge
        { new(4.1, 16 * GiB, 0), new(4, 16 * GiB, 0), false },
        { new(4, 16 * GiB + 1, 0), new(4, 16 * GiB, 0), false },              // one byte over
        { new(4 + 1e-10, 16 * GiB, 0), new(4, 16 * GiB, 0), true },           // within the cpu tolerance
        { new(4 + 1e-8, 16 * GiB, 0), new(4, 16 * GiB, 0), false },           // beyond it
        { new(1, GiB, 1), new(8, 32 * GiB, 1), true },
        { new(1, GiB, 2), new(8, 32 * GiB, 1), false },                       // gpus are counted, not tolerated
        { new(1, GiB, 1), new(8, 32 * GiB, 0), false },
        { new(0, 0, 0), new(0, 0, 0), true },                                  // nothing fits in nothing
        { new(0, 0, 0), new(-1, 0, 0), false },                                // an overbooked node has no room at all
        { new(double.NaN, GiB, 0), new(8, 32 * GiB, 0), false },              // not a number fits nowhere
    };

    [Theory]
    [MemberData(nameof(Fits))]
    public void FitsWithin_ComparesEachAmount_CpusWithinTheTolerance(Resources request, Resources available, bool fits)
    {
        Assert.Equal(fits, request.FitsWithin(available));
    }

    [Fact]
    public void FitsWithin_TakesTheLastTenthOfACpu_ThoughTheSumOvershootsInBinary()
    {
        var held = Resources.None;
        for (var i = 0; i < 19; i++)
        {
            held += new Resources(0.1, 0, 0);
        }
        Assert.True(held.Cpus + 0.1 > 2, "the sum must overshoot in binary floating point for this test to mean anything");

        Assert.True(new Resources(0.1, 0, 0).FitsWithin(new Resources(2, 0, 0) - held));
        Assert.False(new Resources(0.11, 0, 0).FitsWithin(new Resources(2, 0, 0) - held));
    }

    [Fact]
    public void PlusAndMinus_WorkOnEachAmount()
    {
        var a = new Resources(1.5, 2 * GiB, 1);
        var b = new Resources(0.5, GiB, 2);

        Assert.Equal(new Resources(2, 3 * GiB, 3), a + b);
        Assert.Equal(new Resources(1, GiB, -1), a - b);
        Assert.Equal(a, a + Resources.None);
        Assert.Equal(new Resources(2, 3 * GiB, 3), Resources.Sum([a, b]));
        Assert.Equal(Resources.None, Resources.Sum([]));
    }

    public static TheoryData<Resources, Resources, bool> Covering() => new()
    {
        { new(2, 2 * GiB, 1), new(1, GiB, 0), true },
        { new(2, 2 * GiB, 1), new(2, 2 * GiB, 1), true },
        { new(2, 2 * GiB, 0), new(1, GiB, 1), false },
        { new(1, 4 * GiB, 1), new(2, GiB, 0), false },
    };

    [Theory]
    [MemberData(nameof(Covering))]
    public void Covers_WhenEveryAmountIsAtLeastTheOthers(Resources larger, Resources smaller, bool covers)
    {
        Assert.Equal(covers, larger.Covers(smaller));
    }

    [Fact]
    public void Max_TakesTheLargestOfEachAmount()
    {
        Assert.Equal(new Resources(2, 4 * GiB, 1), Resources.Max(new(2, GiB, 0), new(1, 4 * GiB, 1)));
    }

    [Theory]
    [InlineData(2, 4L * GiB, 0, "2 cpus, 4 GiB")]
    [InlineData(0.125, 512L << 20, 2, "0.125 cpus, 512 MiB, 2 gpus")]
    public void ToString_NamesTheRequest_AsPendingReasonsDo(double cpus, long bytes, int gpus, string text)
    {
        Assert.Equal(text, new Resources(cpus, bytes, gpus).ToString());
    }
}
