using GoDocker.Cli.Commands;

namespace GoDocker.Cli.Tests.Submit;

/// <summary>--stdout and --stderr: sbatch's -o and -e by their long names only, since here -o is the output format and -e is --env.</summary>
public class SubmitOutputFileTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void StdoutAndStderr_AreSentAsGiven_PatternsAndAll()
    {
        var spec = cli.Spec(null, "--volume", "shared", "--stdout", "/shared/out/%x-%j.out", "--stderr", "/shared/it's $(x).err", "--", "true");

        Assert.Equal(("/shared/out/%x-%j.out", "/shared/it's $(x).err"), (spec.Stdout, spec.Stderr));
    }

    [Fact]
    public void WithoutThem_NothingIsSent_AndTheJobDirectoryKeepsTheOutput()
    {
        var spec = cli.Spec(null, "--", "true");

        Assert.Equal((null, null), (spec.Stdout, spec.Stderr));
    }

    [Fact]
    public void TheShortLetters_KeepTheirMeaning_OutputFormatAndEnv()
    {
        var parse = cli.Parse("-o", "json", "-e", "A=1", "--stdout", "/shared/x", "--", "true");

        Assert.Empty(parse.Errors);
        var spec = cli.Spec(null, "-o", "json", "-e", "A=1", "--stdout", "/shared/x", "--", "true");
        Assert.Equal("1", spec.Env!["A"]);
        Assert.Equal("/shared/x", spec.Stdout);
    }

    [Fact]
    public void InDirectives_TheyAreJobOptions_AndTheCommandLineWins()
    {
        const string script = """
            #!/bin/sh
            #GODOCKER --volume shared
            #GODOCKER --stdout /shared/logs/%j.out --stderr /shared/logs/%j.err
            true
            """;

        var spec = cli.Spec(script, "--stderr", "/shared/other.err", "job.sh");

        Assert.Equal(("/shared/logs/%j.out", "/shared/other.err"), (spec.Stdout, spec.Stderr));
    }

    [Fact]
    public void Run_HasNeither_ItsOutputIsTheTerminal()
    {
        var run = RunCommand.Create(new GlobalOptions());

        Assert.DoesNotContain(run.Options, o => o.Name is "--stdout" or "--stderr");
    }
}
