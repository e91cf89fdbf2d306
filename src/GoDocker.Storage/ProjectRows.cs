using System.Data.Common;
using GoDocker.Access;

namespace GoDocker.Storage;

/// <summary>Projects from the rows of projects LEFT JOIN project_members, ordered by project: (name, priority, login, manager).</summary>
internal static class ProjectRows
{
    public static async Task<IReadOnlyList<Project>> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var projects = new List<(string Name, int Priority, List<string> Members, List<string> Managers)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (projects.Count == 0 || projects[^1].Name != name)
            {
                projects.Add((name, reader.GetInt32(1), [], []));
            }
            if (!reader.IsDBNull(2))
            {
                (reader.GetBoolean(3) ? projects[^1].Managers : projects[^1].Members).Add(reader.GetString(2));
            }
        }
        return [.. projects.Select(p => new Project { Name = p.Name, Priority = p.Priority, Members = p.Members, Managers = p.Managers })];
    }
}
