using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class WalltimeTests
{
    public static TheoryData<string, TimeSpan> Durations() => new()
    {
        { "30", TimeSpan.FromMinutes(30) },                              // minutes
        { "10:30", new TimeSpan(0, 10, 30) },                            // MM:SS
        { "1:00:00", TimeSpan.FromHours(1) },                            // HH:MM:SS
        { "2-00", TimeSpan.FromDays(2) },                                // D-HH
        { "1-02", new TimeSpan(1, 2, 0, 0) },
        { "1-02:03", new TimeSpan(1, 2, 3, 0) },                         // D-HH:MM
        { "1-02:03:04", new TimeSpan(1, 2, 3, 4) },                      // D-HH:MM:SS
        { "90s", TimeSpan.FromSeconds(90) },
        { "15m", TimeSpan.FromMinutes(15) },
        { "2h", TimeSpan.FromHours(2) },
        { "1d", TimeSpan.FromDays(1) },
        { "2H", TimeSpan.FromHours(2) },
        { " 2h ", TimeSpan.FromHours(2) },
        { "90", TimeSpan.FromMinutes(90) },
        { "0:30", TimeSpan.FromSeconds(30) },
    };

    [Theory]
    [MemberData(nameof(Durations))]
    public void TryParse_ReadsSlurmTimesAndShortForms(string text, TimeSpan expected)
    {
        Assert.True(Walltime.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("x")]
    [InlineData("soon")]
    [InlineData("1:2:3:4")]
    [InlineData("1-2:3:4:5")]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("0:00:00")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5h")]
    [InlineData("h")]
    [InlineData("1-")]
    [InlineData("-1:00")]
    [InlineData("1:-2")]
    [InlineData("1w")]
    public void TryParse_RefusesWhatIsNotADuration(string? text)
    {
        Assert.False(Walltime.TryParse(text, out _));
    }

    [Theory]
    [InlineData("1000000000000s")]            // beyond TimeSpan
    [InlineData("99999999999999d")]
    [InlineData("9223372036854775807")]       // minutes that overflow a long of seconds
    [InlineData("307445734561825861")]        // x 60 wraps around to 44 s if unchecked
    [InlineData("106751991167301-00")]
    public void TryParse_RefusesDurationsTooLargeToRepresent_InsteadOfThrowing(string text)
    {
        Assert.False(Walltime.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, 0, 30, 0, "00:30:00")]
    [InlineData(0, 1, 2, 3, "01:02:03")]
    [InlineData(1, 2, 3, 4, "1-02:03:04")]
    [InlineData(7, 0, 0, 0, "7-00:00:00")]
    public void Format_WritesHHMMSS_WithDaysWhenAny(int days, int hours, int minutes, int seconds, string expected)
    {
        Assert.Equal(expected, Walltime.Format(new TimeSpan(days, hours, minutes, seconds)));
    }

    [Theory]
    [InlineData("00:30:00")]
    [InlineData("1-02:03:04")]
    public void Format_IsReadBackByTryParse(string text)
    {
        Assert.True(Walltime.TryParse(text, out var value));
        Assert.Equal(text, Walltime.Format(value));
    }
}
