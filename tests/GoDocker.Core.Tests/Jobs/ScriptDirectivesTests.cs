using System.Text.Json;
using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ScriptDirectivesTests
{
    /// <summary>
    /// The cases live in tests/shared/script-directives.json: the web interface's reader (web/src/jobs/directives.ts)
    /// is tested on the same table, so a script reads the same in the browser's submit form and in `godocker submit`.
    /// </summary>
    public static TheoryData<string, string, string[]> Scripts()
    {
        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "script-directives.json")));
        var data = new TheoryData<string, string, string[]>();
        foreach (var row in table.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(row.GetProperty("because").GetString()!, row.GetProperty("script").GetString()!,
                [.. row.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!)]);
        }
        return data;
    }

    [Fact]
    public void TheSharedTable_IsRead() => Assert.True(Scripts().Count >= 17);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Read_ReturnsTheLeadingDirectivesInOrder(string because, string script, string[] expected)
    {
        Assert.True(expected.SequenceEqual(ScriptDirectives.Read(script)),
            $"{because}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", ScriptDirectives.Read(script))}]");
    }
}
