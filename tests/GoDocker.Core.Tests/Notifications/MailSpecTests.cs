using GoDocker.Jobs;
using GoDocker.Notifications;

namespace GoDocker.Core.Tests.Notifications;

public sealed class MailSpecTests
{
    private static readonly SubmitLimits Site = new() { DefaultImage = "debian:bookworm", MaxCpus = 8, MaxMemoryBytes = 16L << 30 };

    private static SpecValidation Validate(string? mailType, string? mailUser, MailTypes siteDefault = MailTypes.None) =>
        JobSpecValidator.Validate(new JobSpec { Command = ["true"], MailType = mailType, MailUser = mailUser }, Site with { DefaultMailTypes = siteDefault });

    [Fact]
    public void MailType_IsResolved_AndTheSiteDefaultAppliesWhenAbsent()
    {
        Assert.Equal(MailTypes.End | MailTypes.Fail, Validate("END,FAIL", null).Spec!.MailTypes);
        Assert.Equal(MailTypes.Fail, Validate(null, null, siteDefault: MailTypes.Fail).Spec!.MailTypes);
        Assert.Equal(MailTypes.None, Validate("NONE", null, siteDefault: MailTypes.All).Spec!.MailTypes);
    }

    [Theory]
    [InlineData("END,SOMETIMES", null, "mailType")]
    [InlineData("", null, "mailType")]
    [InlineData(null, "not an address", "mailUser")]
    [InlineData(null, "ana@example.org\r\nBcc: all@example.org", "mailUser")]
    [InlineData(null, "Ana <ana@example.org>", "mailUser")]
    [InlineData(null, "ana@@example.org", "mailUser")]
    [InlineData(null, "@example.org", "mailUser")]
    public void ABadMailOption_IsRefused_NamingItsField(string? mailType, string? mailUser, string field)
    {
        var validation = Validate(mailType, mailUser);

        Assert.False(validation.IsValid);
        Assert.Equal([field], validation.Errors.Keys);
    }

    [Fact]
    public void MailUser_IsKept()
    {
        Assert.Equal("ana.b+jobs@example.org", Validate("ALL", "ana.b+jobs@example.org").Spec!.MailUser);
    }
}
