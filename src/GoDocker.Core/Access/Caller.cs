namespace GoDocker.Access;

/// <summary>Who is asking, as the access policy needs to know them.</summary>
public sealed record Caller(string Login, bool Admin, IReadOnlySet<string> Projects, IReadOnlySet<string> ManagedProjects)
{
    /// <summary>Everyone is a member of the default project.</summary>
    public bool MemberOf(string project) => project == Project.Default || Projects.Contains(project) || ManagedProjects.Contains(project);
}
