namespace GoDocker.Access;

/// <summary>Who is asking, as the access policy needs to know them.</summary>
public sealed record Caller(string Login, bool Admin, IReadOnlySet<string> Projects, IReadOnlySet<string> ManagedProjects)
{
    /// <summary>The site groups the caller belongs to (for image and root grants).</summary>
    public IReadOnlySet<string> Groups { get; init; } = new HashSet<string>();

    /// <summary>Everyone is a member of the default project.</summary>
    public bool MemberOf(string project) => project == Project.Default || Projects.Contains(project) || ManagedProjects.Contains(project);
}
