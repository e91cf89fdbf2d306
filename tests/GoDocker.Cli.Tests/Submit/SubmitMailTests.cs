namespace GoDocker.Cli.Tests.Submit;

/// <summary>submit's mail options (sbatch's --mail-type, --mail-user), as flags and as #GODOCKER lines; the server checks the values.</summary>
public class SubmitMailTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void Submit_MailOptions_ReachTheSpec_AsFlagsAndAsDirectives_TheCommandLineWinning()
    {
        var flags = cli.Spec(null, "--mail-type", "END,FAIL", "--mail-user", "ana@example.org", "--", "true");
        var script = "#!/bin/sh\n#GODOCKER --mail-type=BEGIN --mail-user bob@example.org\ntrue\n";

        Assert.Equal(("END,FAIL", "ana@example.org"), (flags.MailType, flags.MailUser));
        Assert.Equal(("BEGIN", "bob@example.org"), (cli.Spec(script, "job.sh").MailType, cli.Spec(script, "job.sh").MailUser));
        Assert.Equal("ALL", cli.Spec(script, "--mail-type", "ALL", "job.sh").MailType);
        Assert.Null(cli.Spec(null, "--", "true").MailType);
    }
}
