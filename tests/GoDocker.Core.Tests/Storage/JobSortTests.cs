using GoDocker.Storage;

namespace GoDocker.Core.Tests.Storage;

public class JobSortTests
{
    [Theory]
    [InlineData(null, JobSortKey.Id, false)]
    [InlineData("", JobSortKey.Id, false)]
    [InlineData("id", JobSortKey.Id, false)]
    [InlineData("-id", JobSortKey.Id, true)]
    [InlineData("name", JobSortKey.Name, false)]
    [InlineData("-name", JobSortKey.Name, true)]
    [InlineData("state", JobSortKey.State, false)]
    [InlineData("owner", JobSortKey.Owner, false)]
    [InlineData("-project", JobSortKey.Project, true)]
    [InlineData("-submitted", JobSortKey.Submitted, true)]
    [InlineData("started", JobSortKey.Started, false)]
    [InlineData("-ended", JobSortKey.Ended, true)]
    public void TryParse_ReadsAKey_AndALeadingMinusAsDescending(string? text, JobSortKey key, bool descending)
    {
        Assert.True(JobSort.TryParse(text, out var sort));
        Assert.Equal(new JobSort(key, descending), sort);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("--id")]
    [InlineData("+id")]
    [InlineData("ID")]
    [InlineData("Submitted")]
    [InlineData(" id")]
    [InlineData("id desc")]
    [InlineData("submitted_at")]
    [InlineData("0")]
    [InlineData("spec")]
    public void TryParse_RefusesAnythingElse(string text)
    {
        Assert.False(JobSort.TryParse(text, out var sort));
        Assert.Equal(JobSort.Default, sort);
    }

    [Fact]
    public void ToString_IsWhatTryParseReads_ForEveryKeyAndDirection()
    {
        foreach (var key in Enum.GetValues<JobSortKey>())
        {
            foreach (var descending in new[] { false, true })
            {
                var sort = new JobSort(key, descending);
                Assert.True(JobSort.TryParse(sort.ToString(), out var read));
                Assert.Equal(sort, read);
            }
        }
    }

    [Fact]
    public void Default_IsOldestFirst()
    {
        Assert.Equal("id", JobSort.Default.ToString());
        Assert.Equal(["id", "name", "state", "owner", "project", "submitted", "started", "ended"], JobSort.KeyNames);
    }
}
