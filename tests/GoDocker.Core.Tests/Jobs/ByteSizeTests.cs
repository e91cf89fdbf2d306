using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ByteSizeTests
{
    private const long KiB = 1L << 10;
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;
    private const long TiB = 1L << 40;

    public static TheoryData<string, long> Sizes() => new()
    {
        { "512M", 512 * MiB },
        { "512MB", 512 * MiB },
        { "512MiB", 512 * MiB },
        { "2G", 2 * GiB },
        { "2g", 2 * GiB },
        { "2gb", 2 * GiB },
        { "1.5GiB", 3 * GiB / 2 },
        { "0.5M", MiB / 2 },
        { "64k", 64 * KiB },
        { "64KiB", 64 * KiB },
        { "100", 100 * MiB },          // a bare number is MiB, as Slurm's --mem
        { "1T", TiB },
        { "2048B", 2048 },
        { " 4 G ", 4 * GiB },
        { "0", 0 },                    // a size; the validator decides 0 is too small
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void TryParse_ReadsSizesAsPeopleWriteThem(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("-5M")]
    [InlineData("+5M")]
    [InlineData("M")]
    [InlineData("5X")]
    [InlineData("5 MBs")]
    [InlineData("1.2.3G")]
    [InlineData(".")]
    [InlineData("1e3M")]
    [InlineData("5P")]
    [InlineData("9999999999T")]        // beyond what a long holds
    public void TryParse_RefusesWhatIsNotASize(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(0, bytes);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(512 * MiB, "512 MiB")]
    [InlineData(3 * GiB / 2, "1.5 GiB")]
    [InlineData(TiB, "1 TiB")]
    [InlineData(1024 * TiB, "1024 TiB")]
    public void Format_UsesTheLargestBinaryUnit(long bytes, string expected)
    {
        Assert.Equal(expected, ByteSize.Format(bytes));
    }

    [Theory]
    [InlineData(6 * MiB)]
    [InlineData(3 * GiB / 2)]
    [InlineData(64 * KiB)]
    [InlineData(2 * TiB)]
    public void Format_IsReadBackByTryParse(long bytes)
    {
        Assert.True(ByteSize.TryParse(ByteSize.Format(bytes), out var parsed));
        Assert.Equal(bytes, parsed);
    }
}
