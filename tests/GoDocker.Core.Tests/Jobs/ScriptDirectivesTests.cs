using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ScriptDirectivesTests
{
    public static TheoryData<string, string, string[]> Scripts() => new()
    {
        {
            "directives after a shebang",
            "#!/bin/bash\n#GODOCKER --cpus 2 --mem 4G\n#GODOCKER --name test\necho hi\n",
            ["--cpus", "2", "--mem", "4G", "--name", "test"]
        },
        {
            "no shebang",
            "#GODOCKER --cpus 2\necho hi\n",
            ["--cpus", "2"]
        },
        {
            "double and single quoted values keep their spaces",
            "#GODOCKER --name \"my job\" --env 'GREETING=hello world'\n",
            ["--name", "my job", "--env", "GREETING=hello world"]
        },
        {
            "an empty quoted value is an argument",
            "#GODOCKER --name \"\" --cpus 1\n",
            ["--name", "", "--cpus", "1"]
        },
        {
            "a quote inside a word joins the word",
            "#GODOCKER --env A=\"b c\"d\n",
            ["--env", "A=b cd"]
        },
        {
            "stops at the first line that is not a comment",
            "#GODOCKER --cpus 2\necho hi\n#GODOCKER --cpus 8\n",
            ["--cpus", "2"]
        },
        {
            "other comments are ignored, not a stop",
            "#!/bin/sh\n#SBATCH --cpus-per-task 4\n# plain comment\n#GODOCKER --mem 1G\n",
            ["--mem", "1G"]
        },
        {
            "blank lines inside the block are skipped",
            "#!/bin/sh\n\n#GODOCKER --cpus 1\n   \n#GODOCKER --mem 2G\nrun\n",
            ["--cpus", "1", "--mem", "2G"]
        },
        {
            "a trailing comment after the options ends the line",
            "#GODOCKER --cpus 2 # two is enough\n",
            ["--cpus", "2"]
        },
        {
            "a # inside a word or quotes is kept",
            "#GODOCKER --name a#b --label \"x # y\"\n",
            ["--name", "a#b", "--label", "x # y"]
        },
        {
            "indented directives and tabs",
            "  #GODOCKER\t--cpus\t2\n",
            ["--cpus", "2"]
        },
        {
            "CRLF line endings",
            "#!/bin/sh\r\n#GODOCKER --cpus 2\r\necho hi\r\n",
            ["--cpus", "2"]
        },
        {
            "the prefix must be a whole word",
            "#GODOCKERX --cpus 2\n#GODOCKER--mem 1G\n",
            []
        },
        {
            "the prefix is case sensitive",
            "#godocker --cpus 2\n",
            []
        },
        {
            "a bare prefix carries nothing",
            "#GODOCKER\n#GODOCKER --cpus 3\n",
            ["--cpus", "3"]
        },
        {
            "a shebang counts only on the first line",
            "echo first\n#!/bin/sh\n#GODOCKER --cpus 2\n",
            []
        },
        {
            "empty script",
            "",
            []
        },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Read_ReturnsTheLeadingDirectivesInOrder(string because, string script, string[] expected)
    {
        Assert.True(expected.SequenceEqual(ScriptDirectives.Read(script)),
            $"{because}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", ScriptDirectives.Read(script))}]");
    }
}
