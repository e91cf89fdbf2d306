using GoDocker.Usage;

namespace GoDocker.Core.Tests.Usage;

public sealed class UsageChargeTests
{
    private static readonly DateTimeOffset Ended = new(2025, 1, 8, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);
    private static readonly UsageCharge Charge = new(42, 2, "ana", "astro", Ended, new JobConsumption(100, 40, 10));

    [Fact]
    public void Accounts_AreTheOwnerAndTheProject()
    {
        Assert.Equal([(AccountKind.User, "ana"), (AccountKind.Project, "astro")], Charge.Accounts);
    }

    [Fact]
    public void AddTo_AnAccountWithNothingYet_IsTheChargeAtItsEnd()
    {
        Assert.Equal(new DecayedUsage(100, 40, 10, Ended), Charge.AddTo(null, HalfLife));
    }

    [Fact]
    public void AddTo_DecaysWhatTheAccountHad_ToTheChargesEnd_ThenAddsIt()
    {
        var aHalfLifeBefore = new DecayedUsage(1000, 400, 8, Ended - HalfLife);

        Assert.Equal(new DecayedUsage(600, 240, 14, Ended), Charge.AddTo(aHalfLifeBefore, HalfLife));
    }

    [Fact]
    public void AddTo_ATotalNewerThanTheCharge_IsNotGrown()
    {
        // A run that ended before the total was last updated (charged late) adds at full weight, without undecaying the total.
        var later = new DecayedUsage(1000, 400, 8, Ended.AddDays(1));

        Assert.Equal(new DecayedUsage(1100, 440, 18, Ended.AddDays(1)), Charge.AddTo(later, HalfLife));
    }
}
