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

    /// <summary>Null when the caller may run <paramref name="image"/> (normalized, with its tag); otherwise the reason, naming what is allowed.</summary>
    string? RefuseImage(Caller caller, string image);

    /// <summary>Null when the caller may run a job as root inside its container; otherwise the reason.</summary>
    string? RefuseRoot(Caller caller);
}

/// <summary>Who is granted something: named users, members of named groups, or everyone.</summary>
public sealed record Grant
{
    public static readonly Grant Nobody = new();
    public bool Everyone { get; init; }
    public IReadOnlyList<string> Users { get; init; } = [];
    public IReadOnlyList<string> Groups { get; init; } = [];

    public bool Covers(Caller caller) =>
        Everyone || Users.Contains(caller.Login) || Groups.Any(caller.Groups.Contains);
}

/// <summary>
/// The built-in policy: users see and control their own jobs; managers of a project see and control its
/// jobs (<see cref="ManagersControlProjectJobs"/>); admins everything. Submitting needs project membership.
/// </summary>
public sealed class AccessPolicy : IAccessPolicy
{
    /// <summary>Project managers may also kill their project's jobs (not only see them).</summary>
    public bool ManagersControlProjectJobs { get; init; } = true;

    /// <summary>Image patterns anyone may run ('*' and '?' wildcards, matched against the reference with its tag).</summary>
    public IReadOnlyList<string> AllowedImages { get; init; } = ["*"];

    /// <summary>Who may run images outside <see cref="AllowedImages"/> (their own).</summary>
    public Grant AnyImage { get; init; } = Grant.Nobody;

    /// <summary>Who may run jobs as root inside their containers.</summary>
    public Grant Root { get; init; } = Grant.Nobody;

    public bool CanSee(Caller caller, Job job) =>
        caller.Admin || job.Owner == caller.Login || caller.ManagedProjects.Contains(job.Spec.Project);

    public bool CanControl(Caller caller, Job job) =>
        caller.Admin || job.Owner == caller.Login || (ManagersControlProjectJobs && caller.ManagedProjects.Contains(job.Spec.Project));

    public string? RefuseSubmit(Caller caller, string project) =>
        caller.Admin || caller.MemberOf(project) ? null : $"you are not a member of project '{project}'";

    public bool CanAdminister(Caller caller) => caller.Admin;

    public string? RefuseImage(Caller caller, string image) =>
        AllowedImages.Any(pattern => Matches(pattern, image)) || AnyImage.Covers(caller)
            ? null
            : $"image {image} is not allowed here; allowed: {string.Join(", ", AllowedImages)}";

    public string? RefuseRoot(Caller caller) =>
        Root.Covers(caller) ? null : "running as root is not granted to you";

    /// <summary>
    /// Glob match: '*' any run of characters (slashes included), '?' one character, anything else itself (ordinal).
    /// No regular expression: a regex with a match timeout turned a submit into a 500 when the machine was loaded.
    /// </summary>
    internal static bool Matches(string pattern, string text) =>
        // A control character (a newline smuggled into a name) is never in an allowed image's name.
        !text.Any(char.IsControl) && Glob(pattern, text)
        || (!pattern.Contains(':', StringComparison.Ordinal) && !pattern.Contains('*', StringComparison.Ordinal) && text == pattern + ":latest");

    /// <summary>The classic two-pointer wildcard match: on a mismatch, the last '*' takes one more character.</summary>
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
