using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Server.Auth;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>
/// Loads a job for a caller, through the access policy. A job the caller may not see is answered exactly as a
/// job that does not exist (404), so ids reveal nothing; one they may see but not control is 403.
/// </summary>
public sealed class JobAccess(IJobStore store, CallerResolver callers, IAccessPolicy policy)
{
    public async Task<(Job? Job, Caller? Caller, IResult? Refused)> SeeAsync(long id, HttpContext context, CancellationToken cancellationToken) =>
        await LoadAsync(id, context, control: false, cancellationToken);

    public async Task<(Job? Job, Caller? Caller, IResult? Refused)> ControlAsync(long id, HttpContext context, CancellationToken cancellationToken) =>
        await LoadAsync(id, context, control: true, cancellationToken);

    private async Task<(Job?, Caller?, IResult?)> LoadAsync(long id, HttpContext context, bool control, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(context, cancellationToken);
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || !policy.CanSee(caller, job))
        {
            return (null, caller, Problems.JobNotFound(id));
        }
        if (control && !policy.CanControl(caller, job))
        {
            return (null, caller, Problems.Forbidden($"you may see job {id} but not control it"));
        }
        return (job, caller, null);
    }
}
