using GoDocker.Cli.Commands;

namespace GoDocker.Cli.Tests.Commands;

public class FilesCommandTests
{
    [Theory]
    [InlineData("out/result.csv", "result.csv")]
    [InlineData("result.csv", "result.csv")]
    [InlineData("logs/", "logs")]
    public void Get_WritesToTheFilesOwnName_InTheCurrentDirectory(string path, string target)
    {
        Assert.Equal(target, FilesCommand.TargetFor(path, outFile: null));
    }

    [Fact]
    public void Get_OutputFileOption_Wins()
    {
        Assert.Equal("-", FilesCommand.TargetFor("out/result.csv", "-"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("a/..")]
    [InlineData(".")]
    public void Get_PathNamingNoFile_WithoutOutputFile_IsAUsageError(string path)
    {
        Assert.Throws<UsageException>(() => FilesCommand.TargetFor(path, outFile: null));
    }

    [Fact]
    public void Ls_ShowsDirectoriesWithASlash_AndNoSize()
    {
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var text = FilesCommand.BuildListing(
            [new("out", "out", "dir", 4096, at), new("log.txt", "log.txt", "file", 1536, at)],
            TimeZoneInfo.Utc).Render();

        Assert.Equal(
            "NAME     TYPE     SIZE  MODIFIED\n" +
            "out/     dir         -  2025-01-01 00:00:00\n" +
            "log.txt  file  1.5 KiB  2025-01-01 00:00:00\n",
            text);
    }
}
