using System.Globalization;
using System.Text.Json;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests.Drmaa;

/// <summary>
/// libdrmaa driven by Debian's python3-drmaa, call by call, against a real server and engine: what a DRMAA client
/// (a pipeline script, Snakemake's --drmaa) sees, and the job records the calls made.
/// </summary>
public sealed class PythonDrmaaTests(DrmaaSite site) : IClassFixture<DrmaaSite>
{
    private static long Id(JsonElement value) => long.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task RunJob_Wait_GivesTheExitCode_Rusage_AndReapsTheJob()
    {
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "/bin/sh"
                jt.args = ["-c", "echo hello $GREETING; exit 3"]
                jt.jobEnvironment = {"GREETING": "from drmaa"}
                jt.jobName = "drmaa-exit3"
                jid = s.runJob(jt)
                info = s.wait(jid, drmaa.Session.TIMEOUT_WAIT_FOREVER)
                out(id=jid, returned=info.jobId, exited=info.hasExited, status=info.exitStatus, signaled=info.hasSignal,
                    aborted=info.wasAborted, rusage=info.resourceUsage, again=error(lambda: s.wait(jid)),
                    contact=s.contact, drms=s.drmsInfo, impl=s.drmaaImplementation, version=[s.version.major, s.version.minor])
            """);

        var id = Id(result.GetProperty("id"));
        Assert.Equal(id.ToString(CultureInfo.InvariantCulture), result.GetProperty("returned").GetString());
        Assert.True(result.GetProperty("exited").GetBoolean());
        Assert.Equal(3, result.GetProperty("status").GetInt32());
        Assert.False(result.GetProperty("signaled").GetBoolean());
        Assert.False(result.GetProperty("aborted").GetBoolean());
        var rusage = result.GetProperty("rusage");
        foreach (var name in new[] { "wallclock", "cpu", "mem", "start_time", "end_time", "submission_time" })
        {
            Assert.True(rusage.TryGetProperty(name, out var value), $"no {name} in {rusage}");
            Assert.True(double.Parse(value.GetString()!, CultureInfo.InvariantCulture) >= 0, $"{name}={value}");
        }
        Assert.Equal("3", rusage.GetProperty("exit_status").GetString());
        Assert.StartsWith("InvalidJobException", result.GetProperty("again").GetString(), StringComparison.Ordinal);
        Assert.Equal(site.Server.BaseUrl.ToString().TrimEnd('/'), result.GetProperty("contact").GetString());
        Assert.Equal("GoDocker", result.GetProperty("drms").GetString());
        Assert.Contains("GoDocker", result.GetProperty("impl").GetString(), StringComparison.Ordinal);
        Assert.Equal("[1,0]", result.GetProperty("version").GetRawText());

        var job = await site.Server.Api.GetAsync(id);
        Assert.Equal("drmaa-exit3", job.Name);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal(3, job.ExitCode);
        Assert.Equal("hello from drmaa\n", await site.Server.Api.StdoutAsync(id));
    }

    [Fact]
    public async Task Wait_TimesOut_ThenTerminate_EndsItSignaled_AndAJobKilledBeforeRunningIsAborted()
    {
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "sleep"
                jt.args = ["60"]
                running = s.runJob(jt)
                while s.jobStatus(running) != drmaa.JobState.RUNNING:
                    time.sleep(0.2)
                started = time.time()
                timeout = error(lambda: s.wait(running, 1))
                waited = time.time() - started
                nowait = error(lambda: s.wait(running, drmaa.Session.TIMEOUT_NO_WAIT))
                s.control(running, drmaa.JobControlAction.TERMINATE)
                killed = s.wait(running)
                jt.jobSubmissionState = drmaa.JobSubmissionState.HOLD_STATE
                held = s.runJob(jt)
                s.control(held, drmaa.JobControlAction.TERMINATE)
                aborted = s.wait(held)
                out(timeout=timeout, waited=waited, nowait=nowait,
                    killed=[killed.hasExited, killed.hasSignal, killed.terminatedSignal, killed.wasAborted],
                    aborted=[aborted.hasExited, aborted.hasSignal, aborted.wasAborted])
            """);

        Assert.StartsWith("ExitTimeoutException", result.GetProperty("timeout").GetString(), StringComparison.Ordinal);
        Assert.InRange(result.GetProperty("waited").GetDouble(), 0.9, 10);
        Assert.StartsWith("ExitTimeoutException", result.GetProperty("nowait").GetString(), StringComparison.Ordinal);
        var killed = result.GetProperty("killed");
        Assert.False(killed[0].GetBoolean());
        Assert.True(killed[1].GetBoolean());
        Assert.StartsWith("SIG", killed[2].GetString(), StringComparison.Ordinal);
        Assert.False(killed[3].GetBoolean());
        Assert.Equal("[false,false,true]", result.GetProperty("aborted").GetRawText());
    }

    [Fact]
    public async Task RunBulkJobs_ReplacesTheIndexPlaceholder_InEachTask_SafelyQuoted()
    {
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "/bin/echo"
                jt.args = ["task-$drmaa_incr_ph$", "it's; $(id) `id`"]
                ids = s.runBulkJobs(jt, 2, 6, 2)
                s.synchronize([drmaa.Session.JOB_IDS_SESSION_ALL], drmaa.Session.TIMEOUT_WAIT_FOREVER, True)
                out(ids=ids)
            """);

        var ids = result.GetProperty("ids").EnumerateArray().Select(Id).ToList();
        Assert.Equal(3, ids.Count);
        var indexes = new[] { 2, 4, 6 };
        for (var i = 0; i < ids.Count; i++)
        {
            var job = await site.Server.Api.GetAsync(ids[i]);
            Assert.Equal(JobState.Succeeded, job.State);
            Assert.Equal(indexes[i], job.TaskId);
            Assert.Equal($"task-{indexes[i]} it's; $(id) `id`\n", await site.Server.Api.StdoutAsync(ids[i]));
        }
    }

    [Fact]
    public async Task Synchronize_WithDispose_ReapsTheJobs_WithoutDispose_LeavesThemToWait()
    {
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "true"
                kept = [s.runJob(jt), s.runJob(jt)]
                s.synchronize(kept, drmaa.Session.TIMEOUT_WAIT_FOREVER, False)
                codes = [s.wait(j, drmaa.Session.TIMEOUT_NO_WAIT).exitStatus for j in kept]
                disposed = [s.runJob(jt), s.runJob(jt)]
                s.synchronize(disposed, drmaa.Session.TIMEOUT_WAIT_FOREVER, True)
                after = [error(lambda: s.wait(j)) for j in disposed]
                jt.remoteCommand = "sleep"
                jt.args = ["30"]
                slow = s.runJob(jt)
                timeout = error(lambda: s.synchronize([slow], 1, True))
                s.control(slow, drmaa.JobControlAction.TERMINATE)
                out(codes=codes, after=after, timeout=timeout)
            """);

        Assert.Equal("[0,0]", result.GetProperty("codes").GetRawText());
        Assert.All(result.GetProperty("after").EnumerateArray(),
            e => Assert.StartsWith("InvalidJobException", e.GetString(), StringComparison.Ordinal));
        Assert.StartsWith("ExitTimeoutException", result.GetProperty("timeout").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_HoldReleaseSuspendResume_AreSeenInJobPs_AndWrongStatesAreTheStandardsErrors()
    {
        var result = await site.PythonAsync("""
            def until(s, jid, state):
                for _ in range(300):
                    if s.jobStatus(jid) == state:
                        return state
                    time.sleep(0.2)
                return s.jobStatus(jid)
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "sleep"
                jt.args = ["60"]
                jt.jobSubmissionState = drmaa.JobSubmissionState.HOLD_STATE
                jid = s.runJob(jt)
                states = [s.jobStatus(jid)]
                resume_held = error(lambda: s.control(jid, drmaa.JobControlAction.RESUME))
                s.control(jid, drmaa.JobControlAction.RELEASE)
                states.append(until(s, jid, drmaa.JobState.RUNNING))
                release_running = error(lambda: s.control(jid, drmaa.JobControlAction.RELEASE))
                s.control(jid, drmaa.JobControlAction.SUSPEND)
                states.append(until(s, jid, drmaa.JobState.USER_SUSPENDED))
                s.control(jid, drmaa.JobControlAction.RESUME)
                states.append(until(s, jid, drmaa.JobState.RUNNING))
                s.control(drmaa.Session.JOB_IDS_SESSION_ALL, drmaa.JobControlAction.TERMINATE)
                s.wait(jid)
                jt.jobSubmissionState = drmaa.JobSubmissionState.ACTIVE_STATE
                jt.remoteCommand = "false"
                jt.args = []
                failed = s.runJob(jt)
                s.synchronize([failed], drmaa.Session.TIMEOUT_WAIT_FOREVER, False)
                states.append(s.jobStatus(failed))
                suspend_ended = error(lambda: s.control(failed, drmaa.JobControlAction.SUSPEND))
                out(states=states, resume_held=resume_held, release_running=release_running, suspend_ended=suspend_ended,
                    unknown=error(lambda: s.jobStatus("99999999")), garbage=error(lambda: s.control("x1", drmaa.JobControlAction.SUSPEND)))
            """);

        Assert.Equal("""["user_on_hold","running","user_suspended","running","failed"]""", result.GetProperty("states").GetRawText());
        Assert.StartsWith("ResumeInconsistentStateException", result.GetProperty("resume_held").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("ReleaseInconsistentStateException", result.GetProperty("release_running").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("SuspendInconsistentStateException", result.GetProperty("suspend_ended").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidJobException", result.GetProperty("unknown").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidJobException", result.GetProperty("garbage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeSpecification_TakesGodockerSubmitFlags_AndABadOneNamesTheFlag()
    {
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.remoteCommand = "true"
                jt.jobSubmissionState = drmaa.JobSubmissionState.HOLD_STATE
                jt.nativeSpecification = "--cpus 2 --mem 96M --tag from-drmaa --label stage=align -T 0:10:00"
                jid = s.runJob(jt)
                jt.hardWallclockTimeLimit = b"1:30"
                limited = s.runJob(jt)
                bad = []
                for spec in ["--cpus two", "--bogus 1", "--wait", "stray", "--array 1-3"]:
                    jt.nativeSpecification = spec
                    bad.append(error(lambda: s.runJob(jt)))
                s.control(drmaa.Session.JOB_IDS_SESSION_ALL, drmaa.JobControlAction.TERMINATE)
                out(id=jid, limited=limited, bad=bad)
            """);

        var job = await site.Server.Api.GetAsync(Id(result.GetProperty("id")));
        Assert.Equal(2, job.Cpus);
        Assert.Equal(96L * 1024 * 1024, job.MemoryBytes);
        Assert.Contains("from-drmaa", job.Tags);
        Assert.Equal(600, job.WalltimeSeconds);
        // drmaa_hold: held by its owner (released with drmaa_control RELEASE), not by an administrator.
        Assert.NotNull(job.HeldBy);
        Assert.NotEqual("admin", job.HeldBy);
        // The template's wall clock limit wins over the native specification's -T.
        Assert.Equal(90, (await site.Server.Api.GetAsync(Id(result.GetProperty("limited")))).WalltimeSeconds);
        var bad = result.GetProperty("bad").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.StartsWith("InvalidAttributeValueException", bad[0], StringComparison.Ordinal);
        Assert.Contains("--cpus", bad[0], StringComparison.Ordinal);
        Assert.StartsWith("InvalidAttributeValueException", bad[1], StringComparison.Ordinal);
        Assert.Contains("--bogus", bad[1], StringComparison.Ordinal);
        Assert.Contains("--wait", bad[2], StringComparison.Ordinal);
        Assert.Contains("stray", bad[3], StringComparison.Ordinal);
        Assert.StartsWith("ConflictingAttributeValuesException", bad[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputOutputErrorPaths_AndJoinFiles_AreFilesInTheVolume()
    {
        await File.WriteAllTextAsync(Path.Combine(site.Shared, "input.txt"), "line one\nline two\n");
        var result = await site.PythonAsync("""
            with drmaa.Session() as s:
                jt = s.createJobTemplate()
                jt.nativeSpecification = "--volume shared"
                jt.workingDirectory = "/shared"
                jt.remoteCommand = "/bin/sh"
                jt.args = ["-c", "wc -l; echo to-stderr >&2"]
                jt.inputPath = ":$drmaa_wd_ph$/input.txt"
                jt.outputPath = "anyhost:/shared/out.txt"
                jt.errorPath = ":err.txt"
                separate = s.runJob(jt)
                jt.outputPath = ":/shared/joined.txt"
                jt.joinFiles = True
                joined = s.runJob(jt)
                codes = [s.wait(separate).exitStatus, s.wait(joined).exitStatus]
                out(codes=codes)
            """);

        Assert.Equal("[0,0]", result.GetProperty("codes").GetRawText());
        Assert.Equal("2\n", await File.ReadAllTextAsync(Path.Combine(site.Shared, "out.txt")));
        Assert.Equal("to-stderr\n", await File.ReadAllTextAsync(Path.Combine(site.Shared, "err.txt")));
        Assert.Equal("2\nto-stderr\n", await File.ReadAllTextAsync(Path.Combine(site.Shared, "joined.txt")));
    }

    [Fact]
    public async Task Errors_AreTheStandardsCodes_WithADiagnosis()
    {
        var result = await site.PythonAsync("""
            # The library's own functions, without python-drmaa's wrapping, to see the codes and buffers themselves.
            raw = ctypes.CDLL(os.environ["DRMAA_LIBRARY_PATH"])
            raw.drmaa_set_attribute.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
            raw.drmaa_strerror.restype = ctypes.c_char_p
            s = drmaa.Session()
            before = error(lambda: s.runJob(None))
            before_exit = error(lambda: s.exit())
            bad_contact = error(lambda: s.initialize("ftp://nowhere"))
            s.initialize()
            twice = error(lambda: s.initialize())
            jt = s.createJobTemplate()
            buf = ctypes.create_string_buffer(4096)
            unknown = raw.drmaa_set_attribute(ctypes.cast(jt._jt, ctypes.c_void_p).value, b"drmaa_bogus", b"x", buf, ctypes.sizeof(buf))
            unknown_text = buf.value.decode()
            small = ctypes.create_string_buffer(8)
            truncated = raw.drmaa_set_attribute(ctypes.cast(jt._jt, ctypes.c_void_p).value, b"drmaa_bogus", b"x", small, ctypes.sizeof(small))
            unsupported = error(lambda: setattr(jt, "startTime", "12:00"))
            bad_state = error(lambda: setattr(jt, "jobSubmissionState", "drmaa_later"))
            bad_limit = error(lambda: setattr(jt, "hardWallclockTimeLimit", b"1:x"))
            no_command = error(lambda: s.runJob(jt))
            names = list(s.createJobTemplate().attributeNames)
            invalid = error(lambda: s.wait("123456789", 0))
            s.exit()
            after = error(lambda: s.runJob(jt))
            out(before=before, before_exit=before_exit, bad_contact=bad_contact, twice=twice, unknown=unknown, unknown_text=unknown_text,
                truncated=[truncated, small.raw.decode("latin-1")], unsupported=unsupported, bad_state=bad_state, bad_limit=bad_limit,
                no_command=no_command, names=names, invalid=invalid, after=after, strerror=raw.drmaa_strerror(23).decode())
            """);

        Assert.StartsWith("NoActiveSessionException", result.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("NoActiveSessionException", result.GetProperty("before_exit").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidContactStringException", result.GetProperty("bad_contact").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("AlreadyActiveSessionException", result.GetProperty("twice").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, result.GetProperty("unknown").GetInt32()); // DRMAA_ERRNO_INVALID_ARGUMENT
        Assert.Contains("drmaa_bogus", result.GetProperty("unknown_text").GetString(), StringComparison.Ordinal);
        var truncated = result.GetProperty("truncated");
        Assert.Equal(4, truncated[0].GetInt32());
        Assert.Equal("drmaa_b\0", truncated[1].GetString());
        Assert.StartsWith("InvalidAttributeValueException", result.GetProperty("unsupported").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidAttributeValueException", result.GetProperty("bad_state").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidAttributeFormatException", result.GetProperty("bad_limit").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("InvalidAttributeValueException", result.GetProperty("no_command").GetString(), StringComparison.Ordinal);
        Assert.Contains("drmaa_remote_command", result.GetProperty("no_command").GetString(), StringComparison.Ordinal);
        var names = result.GetProperty("names").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("drmaa_remote_command", names);
        Assert.Contains("drmaa_native_specification", names);
        Assert.DoesNotContain("drmaa_start_time", names);
        Assert.StartsWith("InvalidJobException", result.GetProperty("invalid").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("NoActiveSessionException", result.GetProperty("after").GetString(), StringComparison.Ordinal);
        Assert.Contains("time-out", result.GetProperty("strerror").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Threads_SubmitAndWaitAtOnce_EachGetsItsOwnJob_AndWaitAnyTakesEachOnce()
    {
        var result = await site.PythonAsync("""
            s = drmaa.Session()
            s.initialize()
            results = {}
            def worker(n):
                jt = s.createJobTemplate()
                jt.remoteCommand = "/bin/sh"
                jt.args = ["-c", "exit %d" % n]
                jid = s.runJob(jt)
                results[n] = (jid, s.wait(jid).exitStatus)
                s.deleteJobTemplate(jt)
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 7)]
            for t in threads: t.start()
            for t in threads: t.join()
            jt = s.createJobTemplate()
            jt.remoteCommand = "true"
            submitted = sorted(s.runJob(jt) for _ in range(4))
            anys = []
            def any_waiter():
                anys.append(s.wait(drmaa.Session.JOB_IDS_SESSION_ANY).jobId)
            waiters = [threading.Thread(target=any_waiter) for _ in range(4)]
            for t in waiters: t.start()
            for t in waiters: t.join()
            none_left = error(lambda: s.wait(drmaa.Session.JOB_IDS_SESSION_ANY, 0))
            s.exit()
            out(results={str(k): v for k, v in results.items()}, submitted=submitted, anys=sorted(anys), none_left=none_left)
            """);

        var results = result.GetProperty("results");
        var ids = new HashSet<string>();
        for (var n = 1; n <= 6; n++)
        {
            var pair = results.GetProperty(n.ToString(CultureInfo.InvariantCulture));
            Assert.True(ids.Add(pair[0].GetString()!));
            Assert.Equal(n, pair[1].GetInt32());
        }
        Assert.Equal(result.GetProperty("submitted").GetRawText(), result.GetProperty("anys").GetRawText());
        Assert.StartsWith("InvalidJobException", result.GetProperty("none_left").GetString(), StringComparison.Ordinal);
    }
}
