using System.Text.Json.Nodes;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Api.Compat10;

namespace GoDocker.Server.Tests.Api;

/// <summary>The 1.0 task document ↔ today's jobs (docs/notes/godocker10-design.md §2.3 and §4), without a server.</summary>
public sealed class TaskDocumentsTests
{
    private const string Galaxy = """
        {"date": 1733300000.0,
         "meta": {"name": "cat1", "description": "galaxy job", "tags": ["galaxy", "cat1"]},
         "requirements": {"cpu": 2, "ram": 3, "array": {"values": null}, "label": [], "tasks": [], "tmpstorage": null},
         "container": {"image": "img:1", "volumes": [{"name": "data"}], "network": true, "id": null, "meta": null, "stats": null, "ports": [], "root": false},
         "command": {"interactive": false, "cmd": "#!/bin/bash\ncd /w\nrun"},
         "status": {"primary": null, "secondary": null}}
        """;

    private static (JobSpec? Spec, IReadOnlyDictionary<string, string[]> Errors) Read(string json, string caller = "alice") =>
        TaskDocuments.Read(JsonNode.Parse(json), caller);

    [Fact]
    public void GalaxysBody_MapsEveryField()
    {
        var (spec, errors) = Read(Galaxy);

        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Equal("cat1", spec.Name);
        Assert.Equal("#!/bin/bash\ncd /w\nrun", spec.Script);
        Assert.Equal("img:1", spec.Image);
        Assert.Equal(2, spec.Cpus);
        Assert.Equal("3G", spec.Memory);
        Assert.Equal(["galaxy", "cat1"], spec.Tags!);
        Assert.Equal("galaxy job", spec.Labels!["description"]);
        Assert.Equal(["data"], spec.Volumes!);
        Assert.Null(spec.Project);
        Assert.Null(spec.Network);
        Assert.Equal(false, spec.Root);
        Assert.Null(spec.Array);
        Assert.Null(spec.Dependency);
        Assert.Null(spec.Constraints);
        Assert.Null(spec.Requeue);
    }

    [Fact]
    public void GodjobsOptions_MapToTheirJobFields()
    {
        var (spec, errors) = Read("""
            {"user": {"id": "alice", "uid": 5, "gid": 5, "project": "genomics"},
             "meta": {"name": "n", "description": "", "tags": ["batch:b1", "x"]},
             "requirements": {"cpu": 0.5, "ram": 1.5, "gpus": 1, "array": {"values": "1:10:2"}, "label": ["zone==a", "disk!=hdd"],
                              "failure_policy": 0, "tasks": ["12", 13], "tmpstorage": null, "executor": null},
             "container": {"image": "i", "volumes": [{"name": "ref", "acl": "ro"}, {"name": "go-docker", "acl": "rw"}], "network": false, "root": true},
             "command": {"interactive": false, "cmd": "echo hi"},
             "notify": {"email": true}}
            """);

        Assert.Empty(errors);
        Assert.Equal("genomics", spec!.Project);
        Assert.Equal(0.5, spec.Cpus);
        Assert.Equal("1536M", spec.Memory);
        Assert.Equal(1, spec.Gpus);
        Assert.Equal("1-10:2", spec.Array);
        Assert.Equal(["zone==a", "disk!=hdd"], spec.Constraints!);
        Assert.Equal(false, spec.Requeue);
        Assert.Equal("afterany:12:13", spec.Dependency);
        // The job directory a client copied back from a document it read is not a site volume.
        Assert.Equal(["ref:ro"], spec.Volumes!);
        Assert.Equal("none", spec.Network);
        Assert.Equal(true, spec.Root);
        Assert.Equal("ALL", spec.MailType);
        // An empty description is no label; a tag today refuses is kept whole in a label, the valid ones stay tags.
        Assert.Equal(["x"], spec.Tags!);
        Assert.Equal("""["batch:b1","x"]""", spec.Labels![TaskDocuments.TagsLabel]);
        Assert.False(spec.Labels.ContainsKey("description"));
    }

    [Theory]
    [InlineData("\"tmpstorage\": null", "\"tmpstorage\": {\"size\": 1, \"path\": null}", "requirements.tmpstorage")]
    [InlineData("\"tmpstorage\": null", "\"tmpstorage\": null, \"executor\": {\"name\": \"x\"}", "requirements.executor")]
    [InlineData("\"tmpstorage\": null", "\"tmpstorage\": null, \"ports\": [80]", "requirements.ports")]
    [InlineData("\"tmpstorage\": null", "\"tmpstorage\": null, \"uris\": [\"http://x\"]", "requirements.uris")]
    [InlineData("\"tmpstorage\": null", "\"tmpstorage\": null, \"network\": \"public\"", "requirements.network")]
    [InlineData("\"ports\": []", "\"ports\": [22]", "container.ports")]
    [InlineData("\"interactive\": false", "\"interactive\": true", "command.interactive")]
    [InlineData("\"date\"", "\"user\": {\"id\": \"bob\"}, \"date\"", "user.id")]
    [InlineData("\"date\"", "\"extra\": 1, \"date\"", "extra")]
    [InlineData("\"cpu\": 2", "\"cpu\": 2, \"walltime\": 3", "requirements.walltime")]
    [InlineData("\"cpu\": 2", "\"cpu\": \"2\"", "requirements.cpu")]
    [InlineData("\"ram\": 3", "\"ram\": 0", "requirements.ram")]
    [InlineData("\"cpu\": 2", "\"cpu\": 2, \"gpus\": 1.5", "requirements.gpus")]
    [InlineData("\"values\": null", "\"values\": \"1-3\"", "requirements.array.values")]
    [InlineData("\"tasks\": []", "\"tasks\": [\"x\"]", "requirements.tasks")]
    [InlineData("\"label\": []", "\"label\": \"zone==a\"", "requirements.label")]
    [InlineData("[{\"name\": \"data\"}]", "[{\"name\": \"data\", \"acl\": \"rx\"}]", "container.volumes[0].acl")]
    [InlineData("[{\"name\": \"data\"}]", "[{\"acl\": \"ro\"}]", "container.volumes[0]")]
    [InlineData("\"root\": false", "\"root\": \"yes\"", "container.root")]
    [InlineData("\"cmd\": \"#!/bin/bash\\ncd /w\\nrun\"", "\"cmd\": null", "command.cmd")]
    [InlineData("\"meta\": {", "\"meta\": 3, \"x\": {", "meta")]
    public void EachRefusal_NamesItsFieldPath_AndGivesNoSpec(string from, string to, string field)
    {
        Assert.Contains(from, Galaxy, StringComparison.Ordinal);
        var (spec, errors) = Read(Galaxy.Replace(from, to, StringComparison.Ordinal));

        Assert.Null(spec);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void TheCallersOwnLogin_AndEmptyValues_Pass()
    {
        var (spec, errors) = Read(Galaxy.Replace("\"date\"", "\"user\": {\"id\": \"alice\"}, \"notify\": {}, \"date\"", StringComparison.Ordinal)
            .Replace("\"ports\": []", "\"ports\": null", StringComparison.Ordinal));

        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Null(spec.MailType);
    }

    [Fact]
    public void NotAnObject_IsRefusedAsTheBody() => Assert.Contains("body", Read("[1]").Errors.Keys);

    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static Job Job(JobState state, EndCause? cause = null, int? exit = null, bool started = true, bool stop = false) => new()
    {
        Id = 7,
        Owner = "alice",
        State = state,
        Spec = new ResolvedJobSpec { Name = "n", Image = "i", Cpus = 1, MemoryBytes = 1L << 30, Project = "default", Script = "echo" },
        SubmittedAt = T0,
        StartedAt = started ? T0.AddSeconds(10) : null,
        EndedAt = state.IsTerminal() ? T0.AddSeconds(20) : null,
        ExitCode = exit,
        EndCause = cause,
        StopRequested = stop ? new StopRequest(JobState.Killed, "by alice", T0) : null,
    };

    public static TheoryData<Job, string, string?, int?> StatusRows() => new()
    {
        { Job(JobState.Pending, started: false), "pending", null, null },
        { Job(JobState.Scheduled, started: false), "pending", null, null },
        { Job(JobState.Pending, started: false, stop: true), "pending", "kill requested", null },
        { Job(JobState.Running), "running", null, null },
        { Job(JobState.Running, stop: true), "running", "kill requested", null },
        { Job(JobState.Suspended), "running", "suspended", null },
        { Job(JobState.Succeeded, EndCause.Exited, 0), "over", null, 0 },
        { Job(JobState.Failed, EndCause.Exited, 3), "over", null, 3 },
        { Job(JobState.Failed, EndCause.OutOfMemory), "over", null, 137 },
        { Job(JobState.Failed, EndCause.Walltime, 143), "over", "killed", 143 },
        { Job(JobState.Failed, EndCause.LaunchFailed, started: false), "over", null, 1 },
        { Job(JobState.Killed, EndCause.StopRequested, 137), "over", "killed", 137 },
        { Job(JobState.Killed, started: false), "over", "killed", null },
        { Job(JobState.Rejected, started: false), "over", "rejected", 1 },
        { Job(JobState.Archived, EndCause.Exited, 2), "over", null, 2 },
    };

    [Theory]
    [MemberData(nameof(StatusRows))]
    public void Status_MapsEachStateAndEndCause(Job job, string primary, string? secondary, int? exitCode)
    {
        var status = TaskDocuments.Status(job);

        Assert.Equal(primary, status.Primary);
        Assert.Equal(secondary, status.Secondary);
        Assert.Equal(exitCode, status.ExitCode);
        // godjob create --wait ends when date_running is present and date_over set: true of every ended job, never before.
        Assert.Equal(primary == "over", status.DateOver is not null);
        Assert.Equal(primary != "pending", status.DateRunning is not null);
    }

    [Fact]
    public void Document_HasEveryFieldTheClientsIndex()
    {
        var document = TaskDocuments.Document(Job(JobState.Failed, EndCause.Exited, 3) with { Node = "n1", ContainerId = "c" }, "/var/lib/godocker/jobs/7");

        Assert.Equal(7, (long)document["id"]!);
        Assert.Equal("alice", (string?)document["user"]!["id"]);
        Assert.Equal(T0.ToUnixTimeSeconds(), (double)document["date"]!);
        Assert.Equal("", (string?)document["meta"]!["description"]);
        Assert.Equal(1.0, (double)document["requirements"]!["ram"]!);
        Assert.Null(document["requirements"]!["array"]!["values"]);
        Assert.Equal("echo", (string?)document["command"]!["cmd"]);
        Assert.Equal("n1", (string?)document["container"]!["meta"]!["Node"]!["Name"]);
        Assert.Equal(3, (int)document["container"]!["meta"]!["State"]!["ExitCode"]!);
        var jobVolume = Assert.Single(document["container"]!["volumes"]!.AsArray());
        Assert.Equal("go-docker", (string?)jobVolume!["name"]);
        Assert.Equal("/var/lib/godocker/jobs/7", (string?)jobVolume["path"]);
        Assert.Equal(T0.AddSeconds(10).ToUnixTimeSeconds(), (double)document["status"]!["date_running"]!);
        Assert.Equal("exited", (string?)document["status"]!["end_cause"]);
        Assert.False(document.ContainsKey("parent_task_id"));
    }

    [Fact]
    public void Document_OfAPendingJob_HasNoDateRunning_AndNoContainerMeta()
    {
        var document = TaskDocuments.Document(Job(JobState.Pending, started: false), "/j");

        Assert.False(document["status"]!.AsObject().ContainsKey("date_running"));
        Assert.True(document["status"]!.AsObject().ContainsKey("date_over"));
        Assert.Null(document["status"]!["date_over"]);
        Assert.Null(document["container"]!["meta"]);
    }

    [Theory]
    [InlineData(1.0, "1G")]
    [InlineData(16.0, "16G")]
    [InlineData(0.5, "512M")]
    public void Memory_IsWholeGiBOrMiB(double gigabytes, string expected) => Assert.Equal(expected, TaskDocuments.Memory(gigabytes));

    [Theory]
    [InlineData("12", 12L)]
    [InlineData("01", null)]
    [InlineData("-1", null)]
    [InlineData("1a", null)]
    [InlineData("", null)]
    public void TaskIds_AreDecimalJobIds(string text, long? expected) => Assert.Equal(expected, Compat10Api.ParseId(text));

    private static Job ArrayTaskJob(long id, JobState state, int? exit = null, bool stop = false) => Job(state, state.IsTerminal() ? EndCause.Exited : null, exit, stop: stop) with
    {
        Id = id,
        ArrayId = 40,
        Spec = new ResolvedJobSpec { Name = "arr", Image = "i", Cpus = 1, MemoryBytes = 1L << 30, Project = "default", Script = "echo", Task = new ArrayTask((int)(id - 39), 1, 3, 1, null) },
    };

    [Fact]
    public void AnArray_IsOneParentDocument_WithItsValuesTasksAndASummedStatus()
    {
        var running = TaskDocuments.ArrayDocument(ArrayTaskJob(40, JobState.Succeeded, 0), [ArrayTaskJob(42, JobState.Running), ArrayTaskJob(40, JobState.Succeeded, 0), ArrayTaskJob(41, JobState.Pending)], "/j/40");
        Assert.Equal("1:3:1", (string?)running["requirements"]!["array"]!["values"]);
        Assert.Equal([40L, 41L, 42L], running["requirements"]!["array"]!["tasks"]!.AsArray().Select(t => (long)t!));
        Assert.Equal(1, (int)running["requirements"]!["array"]!["nb_tasks_over"]!);
        Assert.Equal("running", (string?)running["status"]!["primary"]);
        Assert.Null(running["status"]!["exitcode"]);
        Assert.Null(running["status"]!["date_over"]);
        Assert.False(running.ContainsKey("parent_task_id"));

        var pending = TaskDocuments.ArrayDocument(ArrayTaskJob(40, JobState.Pending), [ArrayTaskJob(40, JobState.Pending), ArrayTaskJob(41, JobState.Pending, stop: true)], "/j/40");
        Assert.Equal("pending", (string?)pending["status"]!["primary"]);
        Assert.Equal("kill requested", (string?)pending["status"]!["secondary"]);

        // Over when every task ended; the exit code is the first non-zero one (by task), 0 only when all succeeded.
        var failed = TaskDocuments.ArrayDocument(ArrayTaskJob(40, JobState.Succeeded, 0), [ArrayTaskJob(42, JobState.Failed, 5), ArrayTaskJob(41, JobState.Failed, 2), ArrayTaskJob(40, JobState.Succeeded, 0)], "/j/40");
        Assert.Equal("over", (string?)failed["status"]!["primary"]);
        Assert.Equal(2, (int)failed["status"]!["exitcode"]!);
        Assert.NotNull(failed["status"]!["date_over"]);
        Assert.NotNull(failed["status"]!["date_running"]);
        var succeeded = TaskDocuments.ArrayDocument(ArrayTaskJob(40, JobState.Succeeded, 0), [ArrayTaskJob(40, JobState.Succeeded, 0), ArrayTaskJob(41, JobState.Succeeded, 0)], "/j/40");
        Assert.Equal(0, (int)succeeded["status"]!["exitcode"]!);
        // Killed before any ran: over, killed, and no code (as each task's own document says), never a 0.
        var killed = TaskDocuments.ArrayDocument(ArrayTaskJob(40, JobState.Killed), [ArrayTaskJob(40, JobState.Killed), ArrayTaskJob(41, JobState.Killed)], "/j/40");
        Assert.Equal("killed", (string?)killed["status"]!["secondary"]);
        Assert.Null(killed["status"]!["exitcode"]);
    }

    [Fact]
    public void Usage_SumsAttemptsPerDayOfTheirEnd_InSecondsCpuSecondsAndGibHours()
    {
        static GoDocker.Usage.AccountingRecord Record(DateTimeOffset started, TimeSpan elapsed, double cpus, long memory) => new()
        {
            JobId = 1, Name = "n", Owner = "alice", Project = "default", State = GoDocker.Usage.AccountedState.Succeeded,
            SubmittedAt = started, StartedAt = started, EndedAt = started + elapsed, Cpus = cpus, MemoryBytes = memory,
        };
        var rows = TaskDocuments.UsagePerDay([
            Record(T0.AddDays(1), TimeSpan.FromHours(1), 2, 4L << 30),
            Record(T0, TimeSpan.FromMinutes(30), 1, 1L << 30),
            Record(T0.AddHours(1), TimeSpan.FromMinutes(30), 4, 2L << 30),
            // Never started: it ends on the day, and counts nothing.
            Record(T0, TimeSpan.Zero, 8, 8L << 30) with { StartedAt = null },
        ]).ToList();

        Assert.Equal(["2026_12_04", "2026_12_05"], rows.Select(r => (string?)r["date"]));
        Assert.Equal(3600.0, (double)rows[0]["time"]!);
        Assert.Equal(1800 * 1 + 1800 * 4, (double)rows[0]["cpu"]!);
        Assert.Equal(0.5 * 1 + 0.5 * 2, (double)rows[0]["ram"]!);
        Assert.Equal(2 * 3600.0, (double)rows[1]["cpu"]!);
        Assert.Equal(4.0, (double)rows[1]["ram"]!);
    }

    [Fact]
    public void UserUsage_CarriesTheQuotasThatApply_NullWhereNone()
    {
        var usage = TaskDocuments.Usage(new GoDocker.Usage.Quota { MaxCpus = 8, MaxMemoryBytes = 16L << 30, MaxCpuHours = 10 });
        Assert.Equal(8.0, (double)usage["quota_cpu"]!);
        Assert.Equal(16.0, (double)usage["quota_ram"]!);
        Assert.Equal(36000.0, (double)usage["quota_time"]!);
        var none = TaskDocuments.Usage(GoDocker.Usage.Quota.Unlimited);
        Assert.Null(none["quota_cpu"]);
        Assert.Null(none["quota_ram"]);
        Assert.Null(none["quota_time"]);
    }

    [Theory]
    [InlineData("""{"requirements": {"cpu": 1e400}, "command": {"cmd": "true"}}""", "requirements.cpu")]
    [InlineData("""{"container": {"root": 1e400}, "command": {"cmd": "true"}}""", "container.root")]
    public void ANumberNoDoubleHolds_IsRefusedByItsField(string json, string field) => Assert.Contains(field, Read(json).Errors.Keys);
}
