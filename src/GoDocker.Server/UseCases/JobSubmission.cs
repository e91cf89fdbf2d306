using GoDocker.Access;
using GoDocker.Executors.Docker;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using GoDocker.Storage.JobDirectories;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// Submitting a job or an array, keyed or not, for a caller: validates the spec against the site's limits and
/// nodes, replays a retry of an earlier keyed submit, checks the caller's rights (project, image, root, volumes),
/// the pending limit and the quotas checked at submit, fixes the identity the job runs as and its mounts, stores
/// it and wakes the scheduler. Every API submits through it; what it did is a <see cref="SubmitOutcome"/>.
/// </summary>
public sealed class JobSubmission(
    IJobStore store,
    IAccountStore accounts,
    IAccessPolicy policy,
    NodeRegistry nodes,
    PendingCounts pendingCounts,
    AccountLimitsCache limits,
    SchedulerTrigger scheduler,
    AuthOptions auth,
    IOptions<GoDockerOptions> options,
    GoDocker.Server.Monitoring.ServerMetrics metrics)
{
    /// <summary>The spec checked against the site's limits and the nodes known now (no I/O): what a submit checks first.</summary>
    public SpecValidation Validate(JobSpec spec) => JobSpecValidator.Validate(spec, SubmitLimits(options.Value.Jobs, nodes, options.Value.Notifications.DefaultMailTypes));

    /// <summary>
    /// Submits <paramref name="spec"/> for <paramref name="caller"/>. With an idempotency key, a retry of a submit
    /// stored before answers as the first did (<see cref="SubmitOutcome.Replayed"/>), whatever the limits say now.
    /// </summary>
    /// <exception cref="InvalidOperationException">when an authenticated caller has no account (a fault, not an outcome).</exception>
    public async Task<SubmitOutcome> SubmitAsync(Caller caller, JobSpec spec, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        var validation = Validate(spec);
        if (!validation.IsValid)
        {
            return new SubmitOutcome.Invalid(validation.Errors);
        }
        // A retry whose first submit was stored answers as the first did, whatever the limits say now.
        if (key is not null && await store.FindKeyAsync(caller.Login, key, cancellationToken) is { } earlier)
        {
            return await EarlierAsync(earlier, key, cancellationToken);
        }
        var valid = validation.Spec!;
        if (policy.RefuseSubmit(caller, valid.Project) is { } refusal)
        {
            return new SubmitOutcome.Forbidden("project", refusal);
        }
        if (policy.RefuseImage(caller, valid.Image) is { } imageRefusal)
        {
            return new SubmitOutcome.Forbidden("image", imageRefusal);
        }
        if (valid.Root && policy.RefuseRoot(caller) is { } rootRefusal)
        {
            return new SubmitOutcome.Forbidden("root", rootRefusal);
        }
        if (valid.Interactive && await RefuseInteractiveAsync(caller, cancellationToken) is { } interactiveRefusal)
        {
            return interactiveRefusal;
        }
        var array = validation.Array;
        var tasks = array?.TaskIds.Count ?? 1;
        var pending = await pendingCounts.CountAsync(caller.Login, cancellationToken);
        var maxPending = options.Value.Jobs.MaxPendingPerUser;
        if (pending + tasks > maxPending)
        {
            return new SubmitOutcome.TooManyPending(pending, maxPending);
        }
        if (await limits.RefuseSubmitAsync(caller.Login, valid.Project, tasks, pending, cancellationToken) is { } quotaRefusal)
        {
            return new SubmitOutcome.OverQuota(quotaRefusal);
        }
        foreach (var dependency in valid.Dependencies)
        {
            // A dependency on a job the caller may not see is refused as if it did not exist: ids reveal nothing.
            if (await store.GetAsync(dependency.JobId, cancellationToken) is not { } other || !policy.CanSee(caller, other))
            {
                return new SubmitOutcome.UnknownDependency(dependency.JobId);
            }
        }
        // The job runs as its owner, fixed now: a later change of the account does not change a queued job.
        var runAs = await RunAsAsync(caller, cancellationToken);
        if (RootIdentity.Refuse(runAs, valid.Root) is { } rootIdentityRefusal)
        {
            return new SubmitOutcome.Forbidden("root", rootIdentityRefusal);
        }
        var volumes = options.Value.Volumes;
        var (mounts, volumeRefusal) = VolumePolicy.Plan(
            spec.Volumes ?? [], [.. volumes.Select(v => v.ToRule())], caller, runAs, valid.Project, valid.Root);
        if (volumeRefusal is not null || (volumeRefusal = ResolveOnHost(ref mounts, volumes)) is not null)
        {
            return new SubmitOutcome.Forbidden("volumes", volumeRefusal);
        }
        // Only now are the mounts known: an output file must be in one the job writes (a 400, as any other bad field).
        var outputErrors = new Dictionary<string, string[]>();
        foreach (var (field, path) in new[] { ("stdout", valid.Stdout), ("stderr", valid.Stderr) })
        {
            if (path is not null && OutputPath.RefuseOutside(path, mounts) is { } outside)
            {
                outputErrors[field] = [outside];
            }
        }
        if (outputErrors.Count > 0)
        {
            return new SubmitOutcome.Invalid(outputErrors);
        }
        // Mail goes to --mail-user, else to the owner's address from their account (LDAP's mail); a site may allow only that.
        if (valid.MailUser is { } mailUser && options.Value.Notifications.MailUserOwnAddressOnly
            && !string.Equals(mailUser, runAs.Email, StringComparison.OrdinalIgnoreCase))
        {
            return new SubmitOutcome.Forbidden("mailUser", $"this site sends job mail only to your own address ({runAs.Email ?? "none in your account"})");
        }
        var resolved = valid with { RunAs = runAs, Mounts = mounts, MailUser = valid.MailUser ?? runAs.Email };
        var heldBy = spec.Hold == true ? "user" : null;
        IReadOnlyList<ResolvedJobSpec> specs = array is null ? [resolved]
            : [.. array.TaskIds.Select(id => resolved with { Task = new ArrayTask(id, array.First, array.Last, array.Step, array.MaxRunning) { Count = array.TaskIds.Count } })];
        IReadOnlyList<Job> stored;
        if (key is not null)
        {
            var keyed = await store.SubmitAsync(specs, array is not null, caller.Login, heldBy, key, cancellationToken);
            if (keyed.Outcome != KeyedOutcome.Stored)
            {
                return await EarlierAsync(keyed, key, cancellationToken);
            }
            stored = keyed.Stored;
        }
        else
        {
            stored = array is null
                ? [await store.SubmitAsync(resolved, caller.Login, heldBy, cancellationToken)]
                : await store.SubmitArrayAsync(specs, caller.Login, heldBy, cancellationToken);
        }
        foreach (var _ in stored)
        {
            pendingCounts.Added(caller.Login);
        }
        metrics.Submitted(valid.Project, stored.Count);
        scheduler.Poke();
        return new SubmitOutcome.Stored(stored, array is not null);
    }

    /// <summary>Who a job of <paramref name="caller"/>'s runs as: their account's identity, or the local one without accounts.</summary>
    /// <exception cref="InvalidOperationException">when an authenticated caller has no account (a fault, not an outcome).</exception>
    public async Task<UserIdentity> RunAsAsync(Caller caller, CancellationToken cancellationToken) => auth.IsNone
        ? LocalIdentity(options.Value.Server)
        : (await accounts.GetUserAsync(caller.Login, cancellationToken))?.Identity
            ?? throw new InvalidOperationException($"the authenticated user {caller.Login} has no account");

    /// <summary>
    /// The site's quota of interactive jobs per user (Jobs:MaxInteractivePerUser), counting the caller's pending and
    /// running ones. Checked then stored without a lock, as the pending limit: two submits racing may pass one over.
    /// </summary>
    private async Task<SubmitOutcome?> RefuseInteractiveAsync(Caller caller, CancellationToken cancellationToken)
    {
        var max = options.Value.Jobs.MaxInteractivePerUser;
        if (max == 0)
        {
            return new SubmitOutcome.Forbidden("interactive", "this site does not allow interactive jobs (Jobs:MaxInteractivePerUser is 0)");
        }
        var open = await store.ListAsync(new JobQuery
        {
            Owner = caller.Login,
            Interactive = true,
            States = [.. Enum.GetValues<JobState>().Where(s => !s.IsTerminal())],
            Limit = 0,
        }, cancellationToken);
        return open.Total >= max
            ? new SubmitOutcome.OverQuota($"you have {open.Total} interactive jobs pending or running; this site allows {max} at once: end one first (exit its shell, or godocker kill ID)")
            : null;
    }

    /// <summary>A submit whose key was used before: the first submit's job again when it was the same request and the job still exists.</summary>
    private async Task<SubmitOutcome> EarlierAsync(KeyedSubmission earlier, IdempotencyKey key, CancellationToken cancellationToken) =>
        earlier.Outcome == KeyedOutcome.KeyReused || await store.GetAsync(earlier.FirstJobId, cancellationToken) is not { } job
            ? new SubmitOutcome.KeyReused(key, earlier.FirstJobId)
            : new SubmitOutcome.Replayed(job);

    /// <summary>
    /// Without accounts (Auth:Provider=none), jobs run as the server's own uid and gid, except that a server running
    /// as root runs them as nobody (65534): no job runs as uid 0 unless root is granted and asked for.
    /// </summary>
    private static UserIdentity LocalIdentity(ServerOptions server)
    {
        var (uid, gid) = ProcessIdentity.Uid == 0 ? (Nobody, Nobody) : (ProcessIdentity.Uid, ProcessIdentity.Gid);
        return new UserIdentity
        {
            Login = server.LocalUser,
            Uid = uid,
            Gid = gid,
            Home = uid == Nobody ? "/godocker/job" : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        };
    }

    private const int Nobody = 65534;

    /// <summary>Resolves each mount's host path on disk; refuses one that is missing or leaves its volume's allowed root.</summary>
    private static string? ResolveOnHost(ref IReadOnlyList<Mount> mounts, IReadOnlyList<VolumeOptions> volumes)
    {
        var resolved = new List<Mount>();
        foreach (var mount in mounts)
        {
            var rule = volumes.First(v => v.Name == mount.Name);
            var real = RealPaths.Resolve(mount.HostPath);
            var root = RealPaths.Resolve(rule.AllowedRoot);
            if (real is null || !Directory.Exists(real))
            {
                return $"volume '{mount.Name}': {mount.HostPath} does not exist on the host";
            }
            if (root is null || !RealPaths.IsInside(real, root))
            {
                return $"volume '{mount.Name}': {mount.HostPath} leaves the volume's allowed folder {rule.AllowedRoot}";
            }
            resolved.Add(mount with { HostPath = real });
        }
        mounts = resolved;
        return null;
    }

    internal static SubmitLimits SubmitLimits(JobOptions jobs, NodeRegistry nodes, GoDocker.Notifications.MailTypes mailTypes = GoDocker.Notifications.MailTypes.None)
    {
        var largest = nodes.Largest;
        return new SubmitLimits
        {
            DefaultImage = jobs.DefaultImage,
            DefaultCpus = jobs.DefaultCpus,
            DefaultMemoryBytes = jobs.Parsed.DefaultMemoryBytes,
            // Until a node has answered, accept any size: the job waits, its reason says the node is unreachable.
            MaxCpus = largest?.Cpus ?? double.MaxValue,
            MaxMemoryBytes = largest?.MemoryBytes ?? long.MaxValue,
            MaxGpus = largest is null ? int.MaxValue : nodes.Nodes.Select(n => n.Capacity.Gpus).DefaultIfEmpty(0).Max(),
            DefaultWalltime = jobs.Parsed.DefaultWalltime,
            MaxWalltime = jobs.Parsed.MaxWalltime,
            DefaultRequeue = jobs.Requeue,
            DefaultMailTypes = mailTypes,
        };
    }
}
