using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Tests.Output;

public class ProblemReportTests
{
    [Fact]
    public void Problem_IsTitleAndDetail_ThenOneLinePerFieldMessage()
    {
        var problem = new Problem
        {
            Title = "The job spec is invalid",
            Status = 400,
            Detail = "2 errors",
            Errors = new Dictionary<string, string[]>
            {
                ["memory"] = ["'12X' is not a size"],
                ["cpus"] = ["cpus must be greater than 0", "cpus must be at least 0.01"],
            },
        };

        Assert.Equal(
            "godocker: The job spec is invalid: 2 errors\n" +
            "  memory: '12X' is not a size\n" +
            "  cpus: cpus must be greater than 0\n" +
            "  cpus: cpus must be at least 0.01\n",
            ProblemReport.Format(problem));
    }

    [Fact]
    public void Problem_WithoutTitle_FallsBackToTheStatus()
    {
        Assert.Equal("godocker: HTTP 404: job 9 not found\n", ProblemReport.Format(new Problem { Status = 404, Detail = "job 9 not found" }));
    }

    [Fact]
    public void Problem_DetailEqualToTitle_IsNotRepeated()
    {
        Assert.Equal("godocker: Not Found\n", ProblemReport.Format(new Problem { Title = "Not Found", Detail = "Not Found" }));
    }
}
