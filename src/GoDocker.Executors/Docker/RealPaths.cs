namespace GoDocker.Executors.Docker;

/// <summary>Host paths as the kernel will see them, every symlink and '..' resolved: for the site's volumes (never a job directory).</summary>
public static class RealPaths
{
    /// <summary>The path with every symlink resolved (as realpath(3)); null when it does not exist.</summary>
    public static string? Resolve(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null)
        {
            return null;
        }
        var hops = 0;
        while (info.LinkTarget is not null)
        {
            if (++hops > 40)
            {
                return null;
            }
            var target = info.LinkTarget;
            var parent = Path.GetDirectoryName(info.FullName)!;
            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(parent, target));
            info = new FileInfo(resolved);
        }
        var full = info.FullName;
        // Resolve links in parent folders too (a link inside the job dir pointing at a folder elsewhere).
        var parentDir = Path.GetDirectoryName(full);
        if (parentDir is not null && parentDir != full)
        {
            var realParent = Resolve(parentDir);
            if (realParent is null)
            {
                return null;
            }
            full = Path.Combine(realParent, Path.GetFileName(full));
        }
        return File.Exists(full) || Directory.Exists(full) ? full : null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or inside it (both already resolved).</summary>
    public static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
}
