using GoDocker.Notifications;

namespace GoDocker.Core.Tests.Notifications;

public sealed class MailTypesTests
{
    public static TheoryData<string, MailTypes> Valid() => new()
    {
        { "END", MailTypes.End },
        { "end,fail", MailTypes.End | MailTypes.Fail },
        { "BEGIN, REQUEUE", MailTypes.Begin | MailTypes.Requeue },
        { "ALL", MailTypes.All },
        { "NONE", MailTypes.None },
        { "FAIL,ALL", MailTypes.All },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ReadsSlurmsNames(string text, MailTypes expected)
    {
        Assert.True(MailTypeList.TryParse(text, out var types, out var error), error);
        Assert.Equal(expected, types);
    }

    [Theory]
    [InlineData("", "give one or more of BEGIN, END, FAIL, REQUEUE, ALL, or NONE")]
    [InlineData("END,STAGE_OUT", "'STAGE_OUT' is not a mail type (BEGIN, END, FAIL, REQUEUE, ALL, NONE)")]
    [InlineData("END,,FAIL", "'' is not a mail type (BEGIN, END, FAIL, REQUEUE, ALL, NONE)")]
    [InlineData("NONE,END", "NONE cannot be combined with other mail types")]
    public void TryParse_RefusesWithTheReason(string text, string reason)
    {
        Assert.False(MailTypeList.TryParse(text, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData(MailTypes.None, "NONE")]
    [InlineData(MailTypes.All, "ALL")]
    [InlineData(MailTypes.End | MailTypes.Fail, "END,FAIL")]
    [InlineData(MailTypes.Begin | MailTypes.Requeue, "BEGIN,REQUEUE")]
    public void Format_ReadsBackAsItself(MailTypes types, string text)
    {
        Assert.Equal(text, MailTypeList.Format(types));
        Assert.Equal(types, MailTypeList.ParseStored(text));
    }
}
