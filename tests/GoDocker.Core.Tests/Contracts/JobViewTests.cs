using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Notifications;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Contracts;

public sealed class JobViewTests
{
    private static Job Mailed(MailTypes types, string? to)
    {
        var job = AJob().Build();
        return job with { Spec = job.Spec with { MailTypes = types, MailUser = to } };
    }

    [Fact]
    public void TheDetailedView_ShowsTheMailSettings_AsSlurmSpellsThem()
    {
        var view = JobView.From(Mailed(MailTypes.End | MailTypes.Fail, "ana@example.org"), withDetails: true);

        Assert.Equal("END,FAIL", view.MailType);
        Assert.Equal("ana@example.org", view.MailUser);
    }

    [Fact]
    public void AJobMailingNothing_HasNoMailType()
    {
        var view = JobView.From(Mailed(MailTypes.None, "ana@example.org"), withDetails: true);

        Assert.Null(view.MailType);
    }

    [Fact]
    public void TheListView_LeavesTheMailAddressOut()
    {
        var view = JobView.From(Mailed(MailTypes.All, "ana@example.org"));

        Assert.Null(view.MailType);
        Assert.Null(view.MailUser);
    }
}
