using GoDocker.Cli.Output;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Output;

/// <summary>How the scheduling views read: pending listing, array tasks, show's new fields, priority, usage, quotas.</summary>
public class SchedulingOutputTests
{
    private static readonly DateTimeOffset Expected = JobViews.Submitted.AddHours(2);

    [Fact]
    public void PendingListing_ShowsExpectedStartAndReason_InsteadOfStateAndNode()
    {
        var text = JobTable.BuildPending([JobViews.Pending() with { ExpectedStart = Expected }, JobViews.Pending(8)], TimeZoneInfo.Utc).Render();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("ID  NAME   OWNER  PROJECT  CPUS    MEM  SUBMITTED            EXPECTED START       REASON", lines[0]);
        Assert.Equal(" 7  train  alice  physics     4  2 GiB  2025-03-14 09:26:53  2025-03-14 11:26:53  waiting for 4 cpus", lines[1]);
        Assert.Equal(" 8  train  alice  physics     4  2 GiB  2025-03-14 09:26:53  -                    waiting for 4 cpus", lines[2]);
    }

    [Fact]
    public void Listing_WithArrayTasks_HasATaskColumn_InSlurmsForm()
    {
        var text = JobTable.Build([JobViews.Pending() with { ArrayId = 7, TaskId = 1 }, JobViews.Pending(9)], TimeZoneInfo.Utc).Render();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.StartsWith("ID  TASK  NAME ", lines[0]);
        Assert.StartsWith(" 7  7_1   train", lines[1]);
        Assert.StartsWith(" 9  -     train", lines[2]);
    }

    [Fact]
    public void Show_GivesTheSchedulingFields_WhenSet()
    {
        var job = JobViews.Pending() with
        {
            HeldBy = "admin",
            ExpectedStart = Expected,
            PriorityAdjustment = 100,
            Gpus = 2,
            Constraints = ["disk==ssd", "zone!=b"],
            ArrayId = 5,
            TaskId = 3,
            Dependency = "afterok:3,afterany:4",
        };

        var text = JobDetails.Render(job, TimeZoneInfo.Utc);

        Assert.Contains("Held by:        admin\n", text);
        Assert.Contains("Expected start: 2025-03-14 11:26:53\n", text);
        Assert.Contains("Admin priority: +100\n", text);
        Assert.Contains("Gpus:           2\n", text);
        Assert.Contains("Constraints:    disk==ssd, zone!=b\n", text);
        Assert.Contains("Array:          5, task 3\n", text);
        Assert.Contains("Dependency:     afterok:3,afterany:4\n", text);
    }

    [Fact]
    public void Show_LeavesTheSchedulingFieldsOut_WhenNotSet()
    {
        var text = JobDetails.Render(JobViews.Pending(), TimeZoneInfo.Utc);

        foreach (var label in (string[])["Held by", "Expected start", "Admin priority", "Gpus", "Constraints", "Array", "Dependency"])
        {
            Assert.DoesNotContain(label + ":", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Priority_ListsEachFactor_ThenTheTotal_PositionReasonAndExpectedStart()
    {
        var view = new PriorityView(7, "fairshare", 3612.5, 2, 9,
        [
            new PriorityFactorView("age", 0.1125, 1000, 112.5),
            new PriorityFactorView("fairshare-user", 0.7, 5000, 3500),
            new PriorityFactorView("adjustment", 0, 1, 0),
        ])
        { Reason = "waiting for 4 cpus", ExpectedStart = Expected };

        var text = PriorityReport.Render(view, TimeZoneInfo.Utc);

        Assert.Equal(
            "Job 7: priority 3612.5 (fairshare), position 2 of 9 pending\n\n" +
            "FACTOR           VALUE  WEIGHT  CONTRIBUTION\n" +
            "age             0.1125    1000         112.5\n" +
            "fairshare-user     0.7    5000          3500\n" +
            "adjustment           0       1             0\n" +
            "total                                 3612.5\n\n" +
            "Reason:          waiting for 4 cpus\n" +
            "Expected start:  2025-03-14 11:26:53\n",
            text);
    }

    [Fact]
    public void Usage_ShowsSharesHoursRunningPendingAndQuota()
    {
        var text = UsageTable.Build(
        [
            new AccountUsageView
            {
                Kind = "user", Name = "alice", Shares = 2, DecayedCpuHours = 12.3456, WindowCpuHours = 40, RunningJobs = 1, RunningCpus = 0.5,
                RunningMemoryBytes = 1L << 30, PendingJobs = 3, Quota = new AccountLimitsView { MaxRunningJobs = 1, MaxMemoryBytes = 64L << 30, MaxCpuHours = 1000 },
                JobDirectories = new KeptDirectoriesView { Present = 2, PresentBytes = 3L << 20, Archived = 5, ArchivedBytes = 1L << 30 },
            },
            new AccountUsageView { Kind = "project", Name = "default", Shares = 1 },
        ]).Render();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("KIND     NAME     SHARES  DECAYED-CPU-H  WINDOW-CPU-H  RUNNING(JOBS/CPUS/MEM/GPUS)  PENDING  QUOTA                        JOB-DIRS(PRESENT/ARCHIVED)", lines[0]);
        Assert.Equal("user     alice         2         12.346            40                 1/0.5/1GiB/0        3  jobs=1,mem=64GiB,cpu-h=1000               2:3MiB/5:1GiB", lines[1]);
        Assert.Equal("project  default       1              0             0                     0/0/0B/0        0  -                                                     -", lines[2]);
    }

    [Fact]
    public void Limits_ShowDashesForWhatIsNotSet()
    {
        var text = LimitsTable.Build([new AccountLimitsView { Kind = "user", Name = "alice", MaxRunningJobs = 1, MaxMemoryBytes = 1610612736, Priority = -5 }]).Render();

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("KIND  NAME   SHARES  PRIORITY  MAX-JOBS  MAX-CPUS  MAX-MEM  MAX-GPUS  MAX-CPU-H  MAX-PENDING", lines[0]);
        Assert.Equal("user  alice       -        -5         1         -  1.5 GiB         -          -            -", lines[1]);
    }

    [Fact]
    public void ArraySummary_CountsStatesInLifeCycleOrder()
    {
        var array = new ArrayView(12, "sweep", "alice", 10,
            new Dictionary<string, int> { ["Succeeded"] = 6, ["Pending"] = 2, ["Running"] = 2, ["Failed"] = 0 }, []);

        Assert.Equal("array 12 (sweep, alice): 10 tasks: 2 Pending, 2 Running, 6 Succeeded", ArrayReport.Summary(array));
    }

    [Fact]
    public void ArrayReport_IsTheSummary_ThenTheTasks()
    {
        var task = JobViews.Ended(JobState.Succeeded, 0) with { ArrayId = 7, TaskId = 1 };
        var array = new ArrayView(7, "train", "alice", 1, new Dictionary<string, int> { ["Succeeded"] = 1 }, [task]);

        var text = ArrayReport.Render(array, TimeZoneInfo.Utc);

        Assert.StartsWith("array 7 (train, alice): 1 task: 1 Succeeded\n\nID  TASK  NAME", text);
        Assert.Contains(" 7  7_1   train", text);
    }
}
