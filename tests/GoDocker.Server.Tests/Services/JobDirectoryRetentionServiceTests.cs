using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.UseCases;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// The leader's retention sweeps on a fake clock, over a real store and a real jobs root: an ended job's directory becomes an
/// archive after ArchiveAfter and goes after RemoveAfter, the record and its timeline stay; a running job is never touched;
/// at most BatchSize a sweep.
/// </summary>
public sealed class JobDirectoryRetentionServiceTests : UseCaseTest, IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "godocker-retention-tests-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> Configuration => new Dictionary<string, string?>
    {
        ["JobDirectories:ArchiveAfter"] = "1.00:00:00",
        ["JobDirectories:RemoveAfter"] = "3.00:00:00",
        ["JobDirectories:BatchSize"] = "2",
    };

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private JobDirectory Directories() => new(root);

    private JobDirectoryRetentionService Service() =>
        new(Store, Directories(), Options.Create(Settings), Time, NullLogger<JobDirectoryRetentionService>.Instance);

    private async Task<Job> WithDirectoryAsync(bool end)
    {
        var running = await RunningAsync(Alice);
        await Directories().PrepareAsync(running.Id, running.Spec with { Script = "echo hi" }, Ct);
        await File.WriteAllTextAsync(Path.Combine(Directories().PathFor(running.Id), "stdout"), $"job {running.Id}\n", Ct);
        return end
            ? await Store.TransitionAsync(JobLifecycle.End(running, JobState.Succeeded, EndCause.Exited, "exited 0", Time.GetUtcNow(), exitCode: 0), Ct)
            : running;
    }

    [Fact]
    public async Task AnEndedJobsDirectory_IsArchivedThenRemoved_AndItsRecordStays()
    {
        var job = await WithDirectoryAsync(end: true);
        var service = Service();
        var dirs = Directories();

        Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await service.SweepAsync(Ct));
        Assert.Equal(JobDirectoryState.Present, dirs.StateOf(job.Id));

        Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await service.SweepAsync(Ct));
        Assert.Equal(JobDirectoryState.Archived, dirs.StateOf(job.Id));
        var stdout = Assert.IsType<JobPath.ArchivedFile>(dirs.Open(job.Id, "stdout"));
        using (var reader = new StreamReader(stdout.Stream))
        {
            Assert.Equal($"job {job.Id}\n", await reader.ReadToEndAsync(Ct));
        }
        // Idempotent: nothing more to do until removal is due.
        Assert.Equal(0, await service.SweepAsync(Ct));

        Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await service.SweepAsync(Ct));
        Assert.Equal(JobDirectoryState.None, dirs.StateOf(job.Id));
        var kept = await GetAsync(job.Id);
        Assert.Equal(JobState.Succeeded, kept.State);
        var events = (await Store.GetEventsAsync(job.Id, Ct)).Select(e => e.Kind).ToList();
        Assert.Contains("directory-archived", events);
        Assert.Contains("directory-removed", events);
    }

    [Fact]
    public async Task ARunningJobsDirectory_IsNeverTouched()
    {
        var job = await WithDirectoryAsync(end: false);

        Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, await Service().SweepAsync(Ct));
        Assert.Equal(JobDirectoryState.Present, Directories().StateOf(job.Id));
    }

    [Fact]
    public async Task ASweep_DoesAtMostBatchSize_TheRestTheNext()
    {
        var jobs = new List<Job>();
        for (var i = 0; i < 3; i++)
        {
            jobs.Add(await WithDirectoryAsync(end: true));
        }
        var service = Service();
        Time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(2, await service.SweepAsync(Ct));
        Assert.Equal(1, await service.SweepAsync(Ct));
        Assert.All(jobs, j => Assert.Equal(JobDirectoryState.Archived, Directories().StateOf(j.Id)));
    }
}
