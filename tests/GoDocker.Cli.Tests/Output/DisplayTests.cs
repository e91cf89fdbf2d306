using GoDocker.Cli.Output;

namespace GoDocker.Cli.Tests.Output;

public class DisplayTests
{
    [Fact]
    public void Time_IsShownInTheGivenZone_AsShortIso()
    {
        var at = new DateTimeOffset(2025, 1, 2, 23, 30, 5, TimeSpan.Zero);
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("plus-two", TimeSpan.FromHours(2), "plus-two", "plus-two");

        Assert.Equal("2025-01-03 01:30:05", Display.Time(at, plusTwo));
    }

    [Fact]
    public void Time_Missing_IsADash()
    {
        Assert.Equal("-", Display.Time(null));
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.125, "0.125")]
    public void Cpus_ShowNoNeedlessDecimals(double cpus, string shown)
    {
        Assert.Equal(shown, Display.Cpus(cpus));
    }
}
