using GoDocker.Jobs;

namespace GoDocker.Access;

/// <summary>
/// Every access decision, in one place (DESIGN invariant 6). Pure: the caller and the thing asked about in,
/// a verdict out. Endpoints ask it; the executor asks it again before launch.
/// </summary>
public interface IAccessPolicy
{
    /// <summary>May the caller see this job (and its output and files)?</summary>
    bool CanSee(Caller caller, Job job);

    /// <summary>May the caller kill (or otherwise control) this job?</summary>
    bool CanControl(Caller caller, Job job);

    /// <summary>Null when the caller may submit to <paramref name="project"/>; otherwise the reason.</summary>
    string? RefuseSubmit(Caller caller, string project);

    /// <summary>Admin-only operations: users, projects, nodes, images.</summary>
    bool CanAdminister(Caller caller);
}

/// <summary>
/// The built-in policy: users see and control their own jobs; managers of a project see and control its
/// jobs (<see cref="ManagersControlProjectJobs"/>); admins everything. Submitting needs project membership.
/// </summary>
public sealed class AccessPolicy : IAccessPolicy
{
    /// <summary>Project managers may also kill their project's jobs (not only see them).</summary>
    public bool ManagersControlProjectJobs { get; init; } = true;

    public bool CanSee(Caller caller, Job job) =>
        caller.Admin || job.Owner == caller.Login || caller.ManagedProjects.Contains(job.Spec.Project);

    public bool CanControl(Caller caller, Job job) =>
        caller.Admin || job.Owner == caller.Login || (ManagersControlProjectJobs && caller.ManagedProjects.Contains(job.Spec.Project));

    public string? RefuseSubmit(Caller caller, string project) =>
        caller.Admin || caller.MemberOf(project) ? null : $"you are not a member of project '{project}'";

    public bool CanAdminister(Caller caller) => caller.Admin;
}
