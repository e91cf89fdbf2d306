using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Cli.Tests.Output;

/// <summary>Builds <see cref="JobView"/>s for tests: a pending job, changed only where a test cares.</summary>
internal static class JobViews
{
    public static readonly DateTimeOffset Submitted = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static JobView Pending(long id = 7) => new()
    {
        Id = id,
        Name = "train",
        Owner = "alice",
        Project = "physics",
        State = JobState.Pending,
        Reason = "waiting for 4 cpus",
        Image = "debian:bookworm",
        Cpus = 4,
        MemoryBytes = 2L << 30,
        SubmittedAt = Submitted,
    };

    public static JobView Ended(JobState state, int? exitCode, string? reason = null) =>
        Pending() with { State = state, ExitCode = exitCode, Reason = reason, Node = "node-1" };
}
