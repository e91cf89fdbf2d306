using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Output;

public class JobDetailsTests
{
    [Fact]
    public void Show_ListsFieldsAsLabelValue_ThenTheScript_ThenTheTimeline()
    {
        var job = JobViews.Ended(JobState.Failed, 3, "exited with 3") with
        {
            Script = "#!/bin/sh\nexit 3\n",
            Env = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" },
            Tags = ["nightly", "gpu"],
            WalltimeSeconds = 5400,
            Events =
            [
                new JobEvent(JobViews.Submitted, "submitted", "by alice"),
                new JobEvent(JobViews.Submitted.AddSeconds(5), "ended", "exit 3"),
            ],
        };

        var text = JobDetails.Render(job, TimeZoneInfo.Utc);

        Assert.Contains("State:     Failed\n", text);
        Assert.Contains("Exit code: 3\n", text);
        Assert.Contains("Memory:    2 GiB\n", text);
        Assert.Contains("Walltime:  01:30:00\n", text);
        Assert.Contains("Tags:      nightly, gpu\n", text);
        Assert.Contains("Env:       A=1\n           B=2\n", text);
        Assert.Contains("\nScript:\n  #!/bin/sh\n  exit 3\n", text);
        Assert.Contains("\nTimeline:\n  TIME                 KIND       MESSAGE\n  2025-03-14 09:26:53  submitted  by alice\n  2025-03-14 09:26:58  ended      exit 3\n", text);
    }

    [Fact]
    public void Show_Command_IsShownShellQuoted()
    {
        var text = JobDetails.Render(JobViews.Pending() with { Command = ["sh", "-c", "echo 'hi there'"] }, TimeZoneInfo.Utc);

        Assert.Contains("Command:   sh -c 'echo '\\''hi there'\\'''\n", text);
    }

    [Fact]
    public void Show_MailSettings_NameTheTypesAndTheAddress()
    {
        var text = JobDetails.Render(JobViews.Pending() with { MailType = "END,FAIL", MailUser = "ana@example.org" }, TimeZoneInfo.Utc);

        Assert.Contains("Mail:      END,FAIL to ana@example.org\n", text);
    }

    [Fact]
    public void Show_NoMailSettings_PrintsNoMailLine()
    {
        Assert.DoesNotContain("Mail:", JobDetails.Render(JobViews.Pending(), TimeZoneInfo.Utc), StringComparison.Ordinal);
    }
}
