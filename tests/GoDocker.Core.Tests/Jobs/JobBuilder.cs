using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

/// <summary>
/// A stored job of 2 cpus, 4 GiB and 1 gpu in project "astro", owned by "ana", at version 5 and attempt 1:
/// <c>AJob().In(JobState.Running).Started(T0)</c>. A job past Pending is on node "n1" in container "c1".
/// </summary>
internal sealed class JobBuilder
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private Job job = new()
    {
        Id = 42,
        Owner = "ana",
        Spec = new ResolvedJobSpec
        {
            Name = "job",
            Image = "debian:bookworm",
            Command = ["true"],
            Cpus = 2,
            MemoryBytes = 4L << 30,
            Gpus = 1,
            Project = "astro",
        },
        State = JobState.Pending,
        Reason = "submitted, waiting for the scheduler",
        Attempt = 1,
        Version = 5,
        SubmittedAt = T0.AddMinutes(-10),
    };

    public static JobBuilder AJob() => new();

    /// <summary>The job in <paramref name="state"/>, with what a job there has: a node, schedule time and container past Pending.</summary>
    public JobBuilder In(JobState state)
    {
        job = state == JobState.Pending
            ? job with { State = state }
            : job with { State = state, Reason = null, Node = "n1", ScheduledAt = T0.AddMinutes(-5), ContainerId = "c1" };
        return this;
    }

    public JobBuilder Started(DateTimeOffset at) { job = job with { StartedAt = at }; return this; }
    public JobBuilder NoContainer() { job = job with { ContainerId = null }; return this; }
    public JobBuilder Held(string by) { job = job with { HeldBy = by, Reason = $"held by {by}" }; return this; }
    public JobBuilder StopRequested(StopRequest request) { job = job with { StopRequested = request }; return this; }
    public JobBuilder ExpectedStart(DateTimeOffset at) { job = job with { ExpectedStart = at }; return this; }
    public JobBuilder Ended(GoDocker.Execution.EndCause cause, int exitCode) { job = job with { EndCause = cause, ExitCode = exitCode }; return this; }

    public Job Build() => job;

    public static implicit operator Job(JobBuilder builder) => builder.Build();
}
