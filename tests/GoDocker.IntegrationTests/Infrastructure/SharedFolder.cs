namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A site volume for a test server, as a site grants a shared filesystem: a temporary folder, its volume settings, and
/// folders in it open to every user (jobs of the no-authentication mode run as nobody, and a user's own folder is open
/// to its owner). Removed with the test class.
/// </summary>
internal sealed class SharedFolder : IDisposable
{
    /// <param name="name">the volume's name; also the folder's, under a temporary root that is the volume's allowed root.</param>
    /// <param name="containerPath">where jobs see it; null: the same path as on the host, as a shared filesystem is.</param>
    public SharedFolder(string name, string? containerPath = null)
    {
        Name = name;
        Root = Directory.CreateTempSubdirectory($"godocker-{name}-").FullName;
        HostPath = OpenUnder(Path.Combine(Root, name), []);
        ContainerPath = containerPath ?? HostPath;
    }

    public string Name { get; }

    public string Root { get; }

    public string HostPath { get; }

    public string ContainerPath { get; }

    /// <summary>The folder (and its parents) at <paramref name="relative"/> under the volume, open to everyone; its host path.</summary>
    public string Open(params string[] relative) => OpenUnder(HostPath, relative);

    private static string OpenUnder(string path, string[] relative)
    {
        for (var depth = 0; depth <= relative.Length; depth++)
        {
            var folder = Path.Combine([path, .. relative[..depth]]);
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        }
        return Path.Combine([path, .. relative]);
    }

    /// <summary>The server settings granting this folder as volume number <paramref name="index"/>, to everyone.</summary>
    public Dictionary<string, string> Settings(int index = 0) => new()
    {
        [$"Volumes:{index}:Name"] = Name,
        [$"Volumes:{index}:HostPath"] = HostPath,
        [$"Volumes:{index}:ContainerPath"] = ContainerPath,
        [$"Volumes:{index}:AllowedRoot"] = Root,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
