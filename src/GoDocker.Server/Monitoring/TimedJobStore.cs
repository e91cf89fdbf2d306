using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage;
using GoDocker.Usage;

namespace GoDocker.Server.Monitoring;

/// <summary>
/// The job store as the server uses it, each operation's duration observed in
/// godocker_store_operation_duration_seconds{operation} (faults included: a slow failing write is what an operator must
/// see). It decides and changes nothing: every call goes to the store as it came. A method added to <see cref="IJobStore"/>
/// is one more line here (the compiler says so).
/// </summary>
public sealed class TimedJobStore(IJobStore store, ServerMetrics metrics, TimeProvider time) : IJobStore
{
    public string? WriteFault => store.WriteFault;

    public ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, CancellationToken cancellationToken) =>
        Timed("submit", () => store.SubmitAsync(spec, owner, cancellationToken));

    public ValueTask<Job?> GetAsync(long id, CancellationToken cancellationToken) =>
        Timed("get", () => store.GetAsync(id, cancellationToken));

    public ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken) =>
        Timed("list", () => store.ListAsync(query, cancellationToken));

    public ValueTask<IReadOnlyList<JobEvent>> GetEventsAsync(long id, CancellationToken cancellationToken) =>
        Timed("get_events", () => store.GetEventsAsync(id, cancellationToken));

    public ValueTask<IReadOnlyList<Job>> ListActiveAsync(CancellationToken cancellationToken) =>
        Timed("list_active", () => store.ListActiveAsync(cancellationToken));

    public ValueTask<SchedulingInput> ReadSchedulingInputAsync(CancellationToken cancellationToken) =>
        Timed("read_scheduling_input", () => store.ReadSchedulingInputAsync(cancellationToken));

    public ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, CancellationToken cancellationToken) =>
        Timed("apply_plan", () => store.ApplyPlanAsync(plan, nodes, cancellationToken));

    public ValueTask<IReadOnlyList<AppliedPlacement>> ApplyPlanAsync(Plan plan, IReadOnlyList<NodeInfo> nodes, Leadership fence, CancellationToken cancellationToken) =>
        Timed("apply_plan", () => store.ApplyPlanAsync(plan, nodes, fence, cancellationToken));

    public ValueTask<Job> TransitionAsync(JobChange change, CancellationToken cancellationToken) =>
        Timed("transition", () => store.TransitionAsync(change, cancellationToken));

    public ValueTask<Job> RequestStopAsync(long id, StopRequest request, CancellationToken cancellationToken) =>
        Timed("request_stop", () => store.RequestStopAsync(id, request, cancellationToken));

    public async ValueTask AppendEventAsync(long id, JobEvent jobEvent, CancellationToken cancellationToken) =>
        await Timed("append_event", async () =>
        {
            await store.AppendEventAsync(id, jobEvent, cancellationToken);
            return true;
        });

    public ValueTask<Job> SubmitAsync(ResolvedJobSpec spec, string owner, string? heldBy, CancellationToken cancellationToken) =>
        Timed("submit", () => store.SubmitAsync(spec, owner, heldBy, cancellationToken));

    public ValueTask<IReadOnlyList<Job>> SubmitArrayAsync(IReadOnlyList<ResolvedJobSpec> tasks, string owner, string? heldBy, CancellationToken cancellationToken) =>
        Timed("submit_array", () => store.SubmitArrayAsync(tasks, owner, heldBy, cancellationToken));

    public ValueTask<KeyedSubmission> SubmitAsync(IReadOnlyList<ResolvedJobSpec> tasks, bool array, string owner, string? heldBy, IdempotencyKey key, CancellationToken cancellationToken) =>
        Timed("submit_keyed", () => store.SubmitAsync(tasks, array, owner, heldBy, key, cancellationToken));

    public ValueTask<KeyedSubmission?> FindKeyAsync(string owner, IdempotencyKey key, CancellationToken cancellationToken) =>
        Timed("find_key", () => store.FindKeyAsync(owner, key, cancellationToken));

    public ValueTask<SchedulingInput> ReadSchedulingInputAsync(TimeSpan cpuHoursWindow, CancellationToken cancellationToken) =>
        Timed("read_scheduling_input", () => store.ReadSchedulingInputAsync(cpuHoursWindow, cancellationToken));

    public ValueTask<SchedulingChanges> ReadSchedulingChangesAsync(ChangeMark? since, TimeSpan cpuHoursWindow, CancellationToken cancellationToken) =>
        Timed(since is null ? "read_scheduling_changes_full" : "read_scheduling_changes", () => store.ReadSchedulingChangesAsync(since, cpuHoursWindow, cancellationToken));

    public ValueTask<Job> SetHoldAsync(long id, string? heldBy, string actor, CancellationToken cancellationToken) =>
        Timed("set_hold", () => store.SetHoldAsync(id, heldBy, actor, cancellationToken));

    public ValueTask<Job> SetPriorityAdjustmentAsync(long id, int adjustment, string actor, CancellationToken cancellationToken) =>
        Timed("set_priority_adjustment", () => store.SetPriorityAdjustmentAsync(id, adjustment, actor, cancellationToken));

    public ValueTask<IReadOnlyList<AccountLimits>> GetLimitsAsync(AccountKind? kind, string? name, CancellationToken cancellationToken) =>
        Timed("get_limits", () => store.GetLimitsAsync(kind, name, cancellationToken));

    public async ValueTask SetLimitsAsync(AccountLimits limits, CancellationToken cancellationToken) =>
        await Timed("set_limits", async () =>
        {
            await store.SetLimitsAsync(limits, cancellationToken);
            return true;
        });

    public ValueTask<double> CpuSecondsSinceAsync(AccountKind kind, string name, DateTimeOffset since, CancellationToken cancellationToken) =>
        Timed("cpu_seconds_since", () => store.CpuSecondsSinceAsync(kind, name, since, cancellationToken));

    public ValueTask<AccountingPage> ListAccountingAsync(AccountingQuery query, CancellationToken cancellationToken) =>
        Timed("list_accounting", () => store.ListAccountingAsync(query, cancellationToken));

    public ValueTask<IReadOnlyList<JobCount>> CountJobsAsync(CancellationToken cancellationToken) =>
        Timed("count_jobs", () => store.CountJobsAsync(cancellationToken));

    public ValueTask<IReadOnlyList<Job>> ListPurgeableAsync(PurgeQuery query, CancellationToken cancellationToken) =>
        Timed("list_purgeable", () => store.ListPurgeableAsync(query, cancellationToken));

    public ValueTask<IReadOnlyList<long>> DeleteEndedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken) =>
        Timed("delete_ended", () => store.DeleteEndedAsync(ids, cancellationToken));

    // The clock starts before the store's call does (its synchronous part counts too), and stops however it ends.
    private async ValueTask<T> Timed<T>(string operation, Func<ValueTask<T>> call)
    {
        var started = time.GetTimestamp();
        try
        {
            return await call();
        }
        finally
        {
            metrics.StoreOperation(operation, time.GetElapsedTime(started));
        }
    }
}
