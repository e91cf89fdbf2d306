using GoDocker.Access;
using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.Auth;

/// <summary>
/// The second access check (DESIGN invariant 6): right before a job starts, its owner must still be allowed what
/// submit allowed — an account disabled, an image or a root grant withdrawn while the job waited stops it here.
/// </summary>
public sealed class LaunchAuthorization(IAccountStore accounts, CallerResolver callers, IAccessPolicy policy, AuthOptions auth)
{
    /// <summary>Null when the job may start; otherwise why not.</summary>
    public async Task<string?> RefuseAsync(Job job, CancellationToken cancellationToken)
    {
        var admin = false;
        if (!auth.IsNone)
        {
            var owner = await accounts.GetUserAsync(job.Owner, cancellationToken);
            if (owner is null || owner.Disabled)
            {
                return $"the owner's account ({job.Owner}) is disabled or gone";
            }
            admin = owner.Admin;
        }
        var caller = await callers.ResolveAsync(job.Owner, admin, cancellationToken);
        return RootIdentity.Refuse(job.Spec.RunAs, job.Spec.Root)
            ?? policy.RefuseImage(caller, job.Spec.Image)
            ?? (job.Spec.Root ? policy.RefuseRoot(caller) : null)
            ?? policy.RefuseSubmit(caller, job.Spec.Project);
    }
}
