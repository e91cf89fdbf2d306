using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Execution;

/// <summary>How an attempt's end is classified: what GoDocker asked for first, then what was done outside, then the exit.</summary>
public sealed class JobEndTests
{
    private const long Limit = 64L * 1024 * 1024;
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ContainerExit Exit(int code, bool oom = false, string? error = null, Interference? outside = null) =>
        new(code, oom, At, error) { Interference = outside };

    public static TheoryData<string, StopRequest?, ContainerExit, JobState, EndCause, string> Table() => new()
    {
        { "exit 0", null, Exit(0), JobState.Succeeded, EndCause.Exited, "exited 0" },
        { "exit 3", null, Exit(3), JobState.Failed, EndCause.Exited, "exit code 3" },
        { "oom", null, Exit(137, oom: true), JobState.Failed, EndCause.OutOfMemory, "out of memory (limit 64 MiB)" },
        { "engine error", null, Exit(127, error: "exec failed"), JobState.Failed, EndCause.EngineError, "exec failed" },
        { "error with exit 0 is believed", null, Exit(0, error: "noise"), JobState.Succeeded, EndCause.Exited, "exited 0" },
        { "killed by a user", new StopRequest(JobState.Killed, "killed by alice", At), Exit(143), JobState.Killed, EndCause.StopRequested, "killed by alice" },
        { "requeued", new StopRequest(JobState.Pending, "requeued by alice", At), Exit(143), JobState.Pending, EndCause.StopRequested, "requeued by alice" },
        // A restart outside GoDocker ran the command twice: its exit 0 is not the job's verdict.
        { "restarted outside, exit 0", null, Exit(0, outside: new Interference(EndCause.RestartedOutside)), JobState.Failed, EndCause.RestartedOutside,
            "container restarted outside GoDocker: the command ran more than once" },
        { "removed outside", null, Exit(-1, outside: new Interference(EndCause.RemovedOutside)), JobState.Failed, EndCause.RemovedOutside,
            "container removed outside GoDocker" },
        { "docker stop", null, Exit(143, outside: new Interference(EndCause.StoppedOutside, 15)), JobState.Failed, EndCause.StoppedOutside,
            "container stopped outside GoDocker (docker stop)" },
        { "docker kill", null, Exit(137, outside: new Interference(EndCause.KilledOutside, 9)), JobState.Failed, EndCause.KilledOutside,
            "container killed outside GoDocker (signal 9)" },
        { "engine restart", null, Exit(143, outside: new Interference(EndCause.EngineRestart)), JobState.Failed, EndCause.EngineRestart,
            "ended by an engine restart" },
        // GoDocker's own stop comes first: its kill events are the stop's, not someone else's.
        { "a user's kill beats the kill events", new StopRequest(JobState.Killed, "killed by bob", At), Exit(137, outside: new Interference(EndCause.KilledOutside, 9)),
            JobState.Killed, EndCause.StopRequested, "killed by bob" },
        // A site limit's stop records its own cause, as Slurm's TIMEOUT: a tool reads it without parsing the reason.
        { "walltime", new StopRequest(JobState.Failed, "walltime 00:00:01 exceeded", At, EndCause.Walltime), Exit(143), JobState.Failed, EndCause.Walltime, "walltime 00:00:01 exceeded" },
        { "directory limit", new StopRequest(JobState.Failed, "job directory exceeds 1 MiB", At, EndCause.DirectoryLimit), Exit(143), JobState.Failed, EndCause.DirectoryLimit,
            "job directory exceeds 1 MiB" },
        // What was done outside is named before an OOM flag the kill may have left behind.
        { "outside beats oom", null, Exit(137, oom: true, outside: new Interference(EndCause.RestartedOutside)), JobState.Failed, EndCause.RestartedOutside,
            "container restarted outside GoDocker: the command ran more than once" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Of_ClassifiesTheEnd(string name, StopRequest? stop, ContainerExit exit, JobState state, EndCause cause, string reason)
    {
        var end = JobEnd.Of(stop, Limit, exit);

        Assert.True((state, cause, reason) == (end.State, end.Cause, end.Reason), $"{name}: got {end}");
    }

    [Fact]
    public void Describe_NamesTheSignal_WhenKnown()
    {
        Assert.Equal("container killed outside GoDocker", JobEnd.Describe(new Interference(EndCause.KilledOutside)));
        Assert.Equal("container killed outside GoDocker (signal 2)", JobEnd.Describe(new Interference(EndCause.KilledOutside, 2)));
    }

    [Fact]
    public void AStopRequestKeptBeforeCausesExisted_ReadsAsStopRequested()
    {
        var old = System.Text.Json.JsonSerializer.Deserialize("""{"endState":"Killed","reason":"killed by alice","at":"2026-01-01T00:00:00+00:00"}""",
            GoDocker.Contracts.GoDockerJson.Default.StopRequest)!;
        var walltime = new StopRequest(JobState.Failed, "walltime", At, EndCause.Walltime);
        var roundTrip = System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.Serialize(walltime, GoDocker.Contracts.GoDockerJson.Default.StopRequest),
            GoDocker.Contracts.GoDockerJson.Default.StopRequest)!;

        Assert.Equal(EndCause.StopRequested, old.EndCause);
        Assert.Equal(EndCause.Walltime, roundTrip.EndCause);
        Assert.Equal(walltime, roundTrip);
    }
}
