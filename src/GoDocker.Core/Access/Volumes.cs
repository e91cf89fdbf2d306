namespace GoDocker.Access;

/// <summary>
/// A volume the site offers: a host path template ({user}, {home}, {project}), where it appears in the
/// container, the widest mode allowed, who may mount it, and the host folder it must stay inside.
/// </summary>
public sealed record VolumeRule
{
    public required string Name { get; init; }
    public required string HostPath { get; init; }
    /// <summary>Where it appears in the container; the host path when null.</summary>
    public string? ContainerPath { get; init; }
    /// <summary>The widest mode: a read-only volume is never mounted read-write.</summary>
    public bool ReadOnly { get; init; }
    public Grant Who { get; init; } = new() { Everyone = true };
    /// <summary>Projects whose jobs may mount it (in addition to <see cref="Who"/>).</summary>
    public IReadOnlyList<string> Projects { get; init; } = [];
    /// <summary>After resolving symlinks and '..', the host path must be inside this folder.</summary>
    public required string AllowedRoot { get; init; }
}

/// <summary>A job's mount, resolved: what the executor binds.</summary>
public sealed record Mount(string Name, string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>
/// A volume a user may ask for by <see cref="Name"/>: where it appears in the container (a template: {user}, {home},
/// {project}), whether it is read-only at most, and, when not granted to the user as such, the projects through which
/// it is (a job charged to one of them may mount it).
/// </summary>
public sealed record VolumeOffer(string Name, string ContainerPath, bool ReadOnly, IReadOnlyList<string> Projects);

/// <summary>Turns the volumes a job asks for ("home", "data:ro") into mounts, by the site's rules. Pure.</summary>
public static class VolumePolicy
{
    /// <summary>
    /// The mounts, or the refusal naming the volume. <paramref name="root"/>: the job runs as root, so every
    /// volume is mounted read-only. Host paths are templated here; resolving them on disk is the caller's job.
    /// </summary>
    public static (IReadOnlyList<Mount> Mounts, string? Refusal) Plan(
        IReadOnlyList<string> requests, IReadOnlyList<VolumeRule> rules, Caller caller, UserIdentity owner, string project, bool root)
    {
        var mounts = new List<Mount>();
        foreach (var request in requests)
        {
            var (name, mode) = Parse(request);
            var rule = rules.FirstOrDefault(r => r.Name == name);
            if (rule is null)
            {
                return ([], $"volume '{name}' does not exist (known: {string.Join(", ", rules.Select(r => r.Name))})");
            }
            if (!rule.Who.Covers(caller) && !rule.Projects.Contains(project))
            {
                return ([], $"volume '{name}' is not granted to you");
            }
            if (mode == false && rule.ReadOnly)
            {
                return ([], $"volume '{name}' is read-only here");
            }
            var host = Expand(rule.HostPath, owner, project);
            mounts.Add(new Mount(name, host, Expand(rule.ContainerPath ?? rule.HostPath, owner, project), ReadOnly: root || rule.ReadOnly || mode == true));
        }
        return (mounts, null);
    }

    /// <summary>
    /// The volumes <paramref name="caller"/> may ask for, as <see cref="Plan"/> would grant them: to the caller (their
    /// <see cref="VolumeOffer.Projects"/> empty), or only for jobs charged to the listed projects the caller is a member of.
    /// </summary>
    public static IReadOnlyList<VolumeOffer> Offered(IReadOnlyList<VolumeRule> rules, Caller caller) =>
        [.. rules
            .Select(r => (Rule: r, Yours: r.Who.Covers(caller), Through: r.Projects.Where(caller.MemberOf).ToList()))
            .Where(o => o.Yours || o.Through.Count > 0)
            .Select(o => new VolumeOffer(o.Rule.Name, o.Rule.ContainerPath ?? o.Rule.HostPath, o.Rule.ReadOnly, o.Yours ? [] : o.Through))];

    /// <summary>"data" → (data, null); "data:ro" → (data, true); "data:rw" → (data, false).</summary>
    public static (string Name, bool? ReadOnly) Parse(string request)
    {
        var colon = request.LastIndexOf(':');
        if (colon < 0)
        {
            return (request, null);
        }
        return request[(colon + 1)..] switch
        {
            "ro" => (request[..colon], true),
            "rw" => (request[..colon], false),
            _ => (request, null),
        };
    }

    private static string Expand(string template, UserIdentity owner, string project) =>
        template.Replace("{user}", owner.Login, StringComparison.Ordinal)
            .Replace("{home}", owner.Home, StringComparison.Ordinal)
            .Replace("{project}", project, StringComparison.Ordinal);
}
