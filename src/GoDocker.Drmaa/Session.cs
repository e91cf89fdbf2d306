using System.Globalization;
using GoDocker.Cli;
using GoDocker.Cli.Api;
using GoDocker.Cli.Wait;
using GoDocker.Contracts;
using GoDocker.Jobs;

namespace GoDocker.Drmaa;

/// <summary>
/// The one DRMAA session of the process (the standard allows one at a time) and what it knows of its jobs. Session
/// state is changed under one lock; requests to the server run outside it, so threads submit and wait at once.
/// </summary>
#pragma warning disable CA1001 // `ended` is never disposed: threads still waiting when drmaa_exit cancels it read its token after.
internal sealed class Session
#pragma warning restore CA1001
{
    public const string SessionAll = "DRMAA_JOB_IDS_SESSION_ALL";
    public const string SessionAny = "DRMAA_JOB_IDS_SESSION_ANY";

    private static readonly Lock Gate = new();
    private static Session? current;

    private readonly GoDockerClient client;
    /// <summary>Jobs this session submitted and has not reaped (drmaa_wait, synchronize with dispose).</summary>
    private readonly HashSet<long> jobs = [];
    private readonly HashSet<long> reaped = [];
    /// <summary>Cancelled by drmaa_exit: a thread blocked in wait or synchronize returns NO_ACTIVE_SESSION.</summary>
    private readonly CancellationTokenSource ended = new();

    private Session(GoDockerClient client) => this.client = client;

    public string Contact => ServerAddress.Display(client.Server);

    /// <summary>drmaa_init: <paramref name="contact"/> is the server's URL; empty means what the CLI uses ($GODOCKER_URL, else its default).</summary>
    public static void Init(string? contact)
    {
        lock (Gate)
        {
            if (current is not null)
            {
                throw new DrmaaException(DrmaaError.AlreadyActiveSession, "a DRMAA session is already active in this process (drmaa_exit ends it)");
            }
        }
        GoDockerClient client;
        try
        {
            client = GlobalOptions.CreateClient(string.IsNullOrWhiteSpace(contact) ? null : contact);
        }
        catch (UsageException e)
        {
            throw new DrmaaException(DrmaaError.InvalidContactString, e.Message);
        }
        // Asked once, so a wrong address or token fails here rather than at the first job.
        var whoami = Call(() => client.WhoAmIAsync(CancellationToken.None), DrmaaError.DrmsInitFailed);
        if (!whoami.IsOk)
        {
            throw Refusal(whoami.Problem, DrmaaError.DrmsInitFailed, "drmaa_init");
        }
        lock (Gate)
        {
            if (current is not null)
            {
                throw new DrmaaException(DrmaaError.AlreadyActiveSession, "a DRMAA session is already active in this process (drmaa_exit ends it)");
            }
            current = new Session(client);
        }
    }

    public static void Exit()
    {
        Session session;
        lock (Gate)
        {
            session = current ?? throw NoSession();
            current = null;
        }
        session.ended.Cancel();
    }

    /// <summary>The active session, or NO_ACTIVE_SESSION.</summary>
    public static Session Active
    {
        get
        {
            lock (Gate)
            {
                return current ?? throw NoSession();
            }
        }
    }

    public static string? ActiveContact
    {
        get
        {
            lock (Gate)
            {
                return current?.Contact;
            }
        }
    }

    public string RunJob(JobTemplate template) => Submit(template, bulk: null)[0].ToString(CultureInfo.InvariantCulture);

    public IReadOnlyList<string> RunBulkJobs(JobTemplate template, int start, int end, int step)
    {
        if (start < 1 || end < start || step < 1)
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"bulk range start={start} end={end} incr={step}: needs 1 <= start <= end and incr >= 1");
        }
        return [.. Submit(template, new BulkRange(start, end, step)).Select(id => id.ToString(CultureInfo.InvariantCulture))];
    }

    private List<long> Submit(JobTemplate template, BulkRange? bulk)
    {
        var (scalars, vectors) = template.Snapshot();
        var spec = JobComposer.Compose(scalars, vectors, bulk, NativeSpecification.Read, Environment.GetEnvironmentVariable("HOME") ?? "");
        var submitted = Call(() => client.SubmitForIdAsync(spec, ended.Token));
        if (!submitted.IsOk)
        {
            throw Refusal(submitted.Problem, DrmaaError.DeniedByDrm, "submit");
        }
        List<long> ids = [submitted.Value];
        if (bulk is not null)
        {
            // The id answered is the array's (its first task's); each task is a job with its own id.
            var array = Call(() => client.GetArrayAsync(submitted.Value, ended.Token));
            if (!array.IsOk)
            {
                throw Refusal(array.Problem, DrmaaError.InternalError, $"array {submitted.Value}");
            }
            ids = [.. array.Value.Items.OrderBy(t => t.TaskId).Select(t => t.Id)];
        }
        lock (Gate)
        {
            jobs.UnionWith(ids);
        }
        return ids;
    }

    public void Control(string jobId, int action)
    {
        if (action is < 0 or > 4)
        {
            throw new DrmaaException(DrmaaError.InvalidArgument, $"drmaa_control: {action} is not an action (SUSPEND 0, RESUME 1, HOLD 2, RELEASE 3, TERMINATE 4)");
        }
        if (jobId == SessionAll)
        {
            long[] all;
            lock (Gate)
            {
                all = [.. jobs];
            }
            foreach (var id in all)
            {
                ControlOne(id, action, quietWhenEnded: true);
            }
            return;
        }
        ControlOne(ParseId(jobId), action, quietWhenEnded: false);
    }

    private void ControlOne(long id, int action, bool quietWhenEnded)
    {
        var result = Call(() => action switch
        {
            0 => client.ControlAsync(id, JobControl.Suspend, ended.Token),
            1 => client.ControlAsync(id, JobControl.Resume, ended.Token),
            2 => client.ControlAsync(id, JobControl.Hold, ended.Token),
            3 => client.ControlAsync(id, JobControl.Release, ended.Token),
            _ => client.KillAsync(id, ended.Token),
        });
        if (result.IsOk)
        {
            return;
        }
        if (result.Problem.Status == 409)
        {
            // Terminating a job that has ended already leaves it as asked; so does any action on SESSION_ALL's ended jobs.
            if (action == 4 || quietWhenEnded)
            {
                var job = Call(() => client.GetJobAsync(id, ended.Token));
                if (job.IsOk && job.Value.State.IsTerminal())
                {
                    return;
                }
            }
            throw new DrmaaException(action switch
            {
                0 => DrmaaError.SuspendInconsistentState,
                1 => DrmaaError.ResumeInconsistentState,
                2 => DrmaaError.HoldInconsistentState,
                3 => DrmaaError.ReleaseInconsistentState,
                _ => DrmaaError.InvalidJob,
            }, $"job {id}: {result.Problem.Detail ?? result.Problem.Title}");
        }
        throw Refusal(result.Problem, DrmaaError.DeniedByDrm, $"job {id}");
    }

    public int JobPs(string jobId)
    {
        var id = ParseId(jobId);
        return JobStatus.PsOf(GetJob(id));
    }

    /// <summary>drmaa_wait: the job that ended (reaped), its stat and rusage; EXIT_TIMEOUT when none ended in time.</summary>
    public (string Id, int Stat, IReadOnlyList<string> Rusage) Wait(string jobId, long timeoutSeconds)
    {
        long[] candidates;
        if (jobId == SessionAny)
        {
            lock (Gate)
            {
                candidates = [.. jobs];
            }
            if (candidates.Length == 0)
            {
                throw new DrmaaException(DrmaaError.InvalidJob, "drmaa_wait: this session has no job left to wait for");
            }
        }
        else
        {
            var id = ParseId(jobId);
            lock (Gate)
            {
                if (reaped.Contains(id))
                {
                    throw new DrmaaException(DrmaaError.InvalidJob, $"job {id} was reaped already by drmaa_wait or drmaa_synchronize");
                }
            }
            candidates = [id];
        }
        var job = UntilEnded(candidates, timeoutSeconds, any: true, reap: true)[0];
        UsageSummaryView? usage = null;
        if (job.StartedAt is not null && Call(() => client.GetUsageAsync(job.Id, null, ended.Token)) is { IsOk: true } measured)
        {
            usage = measured.Value.Summary;
        }
        return (job.Id.ToString(CultureInfo.InvariantCulture), JobStatus.StatOf(job), JobStatus.Rusage(job, usage));
    }

    public void Synchronize(IReadOnlyList<string> jobIds, long timeoutSeconds, bool dispose)
    {
        var ids = new HashSet<long>();
        foreach (var jobId in jobIds)
        {
            if (jobId == SessionAll)
            {
                lock (Gate)
                {
                    ids.UnionWith(jobs);
                }
            }
            else
            {
                ids.Add(ParseId(jobId));
            }
        }
        UntilEnded([.. ids], timeoutSeconds, any: false, reap: dispose);
    }

    /// <summary>
    /// Polls the jobs (as `godocker wait` does, <see cref="PollBackoff"/>) until one (<paramref name="any"/>) or all have
    /// ended; reaps what it returns when asked. A job another thread reaped first does not count for <paramref name="any"/>.
    /// </summary>
    private List<JobView> UntilEnded(long[] ids, long timeoutSeconds, bool any, bool reap)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
        // 0 is one look without waiting (below), not a deadline already past: that would cancel the look itself.
        if (timeoutSeconds > 0)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        }
        var pending = new List<long>(ids);
        var done = new List<JobView>();
        var backoff = new PollBackoff();
        try
        {
            while (true)
            {
                foreach (var id in pending.ToArray())
                {
                    var job = GetJob(id, deadline.Token);
                    if (!job.State.IsTerminal())
                    {
                        continue;
                    }
                    pending.Remove(id);
                    if (reap)
                    {
                        lock (Gate)
                        {
                            if (!reaped.Add(id) && any)
                            {
                                continue;
                            }
                            jobs.Remove(id);
                        }
                    }
                    done.Add(job);
                    if (any)
                    {
                        return done;
                    }
                }
                if (pending.Count == 0)
                {
                    if (done.Count == 0 && any)
                    {
                        throw new DrmaaException(DrmaaError.InvalidJob, "drmaa_wait: the job was reaped by another thread");
                    }
                    return done;
                }
                if (timeoutSeconds == 0)
                {
                    throw Timeout(ids);
                }
                Task.Delay(backoff.Next(), deadline.Token).GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            throw NoSession();
        }
        catch (OperationCanceledException)
        {
            throw Timeout(ids);
        }
    }

    private static DrmaaException Timeout(long[] ids) =>
        new(DrmaaError.ExitTimeout, ids.Length == 1 ? $"job {ids[0]} has not ended yet" : $"{ids.Length} jobs: not ended yet");

    private JobView GetJob(long id, CancellationToken cancellationToken = default)
    {
        var token = cancellationToken == default ? ended.Token : cancellationToken;
        var job = Call(() => client.GetJobAsync(id, token));
        return job.IsOk ? job.Value : throw Refusal(job.Problem, DrmaaError.InvalidJob, $"job {id}");
    }

    private static long ParseId(string jobId) =>
        long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new DrmaaException(DrmaaError.InvalidJob, $"'{jobId}' is not a GoDocker job id");

    /// <summary>A request, its transport failure as DRM_COMMUNICATION_FAILURE (or <paramref name="unreachable"/>).</summary>
    private static T Call<T>(Func<Task<T>> request, DrmaaError unreachable = DrmaaError.DrmCommunicationFailure)
    {
        try
        {
            return request().GetAwaiter().GetResult();
        }
        catch (ServerUnreachableException e)
        {
            throw new DrmaaException(unreachable, e.Message);
        }
    }

    /// <summary>The server's refusal as the standard's code: 401 AUTH_FAILURE, 404 INVALID_JOB, 503 TRY_LATER, else <paramref name="otherwise"/>.</summary>
    private static DrmaaException Refusal(Problem problem, DrmaaError otherwise, string what)
    {
        var code = problem.Status switch
        {
            401 => DrmaaError.AuthFailure,
            403 => otherwise == DrmaaError.DrmsInitFailed ? DrmaaError.AuthFailure : DrmaaError.DeniedByDrm,
            404 => DrmaaError.InvalidJob,
            503 or 429 => DrmaaError.TryLater,
            _ => otherwise,
        };
        var detail = problem.Detail ?? problem.Title ?? "refused";
        if (problem.Errors is { Count: > 0 } errors)
        {
            detail += " (" + string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(", ", e.Value))) + ")";
        }
        return new DrmaaException(code, $"{what}: {detail}");
    }

    private static DrmaaException NoSession() => new(DrmaaError.NoActiveSession, "no active DRMAA session (call drmaa_init first)");
}
