using GoDocker.Access;
using GoDocker.Jobs;

namespace GoDocker.Server.Auth;

/// <summary>
/// Root (uid 0 or gid 0) is never an account's identity: a job runs as root only when it asks ("root": true) and its
/// owner holds a root grant. An account that reached the store with uid 0 anyway (an old bootstrap admin, a directory
/// entry, an edited database) must not run jobs as root by default: checked at submit and again at launch.
/// </summary>
public static class RootIdentity
{
    public const int Nobody = 65534;

    /// <summary>Null when the job may run as <paramref name="runAs"/>; otherwise why not.</summary>
    public static string? Refuse(UserIdentity? runAs, bool root)
    {
        if (root)
        {
            // Runs as 0:0 by its own request, which the root grant decides.
            return null;
        }
        if (runAs is null)
        {
            return "the job has no identity to run as (the image's own user could be root)";
        }
        return runAs.Uid == 0 || runAs.Gid == 0
            ? $"account '{runAs.Login}' has uid {runAs.Uid}, gid {runAs.Gid}: jobs do not run as root by default (ask for \"root\": true with a root grant, or have an admin give the account another uid and gid)"
            : null;
    }

    /// <summary>Null when an account may have these ids; otherwise the field and why not.</summary>
    public static (string Field, string Message)? RefuseAccount(int? uid, int? gid, IReadOnlyList<int>? secondaryGids)
    {
        if (uid == 0)
        {
            return ("uid", "uid 0 is root: an account never runs jobs as root (a job asks for it with \"root\": true and a root grant)");
        }
        if (gid == 0)
        {
            return ("gid", "gid 0 is root's group: give the account a group of its own");
        }
        return secondaryGids?.Contains(0) == true ? ("secondaryGids", "gid 0 is root's group: it is never a secondary group of an account") : null;
    }
}
