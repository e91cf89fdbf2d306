using GoDocker.Notifications;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Notifications;

public sealed class DeliveryBackoffTests
{
    private static readonly DeliveryBackoff Backoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), MaxAttempts: 7);

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 240)]
    [InlineData(5, 300)] // 480 capped at the longest wait
    [InlineData(6, 300)]
    public void NextTry_DoublesTheWait_UpToTheLongest(int failedAttempts, int seconds)
    {
        Assert.Equal(T0.AddSeconds(seconds), Backoff.NextTry(failedAttempts, T0));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void NextTry_GivesUp_AfterTheLastAttempt(int failedAttempts)
    {
        Assert.Null(Backoff.NextTry(failedAttempts, T0));
    }

    [Fact]
    public void NextTry_NeverOverflows_OnManyAttempts()
    {
        var many = new DeliveryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), MaxAttempts: 100);

        Assert.Equal(T0.AddHours(1), many.NextTry(99, T0));
    }
}
