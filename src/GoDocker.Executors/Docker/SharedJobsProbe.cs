namespace GoDocker.Executors.Docker;

/// <summary>
/// The check that a node sees this server's job directories at the same path (a shared filesystem): a random token
/// written in a file of the jobs root, which a container on the node, with the root mounted read-only, must read back
/// (<see cref="Command"/> exits 0). The file goes when the probe is disposed.
/// </summary>
internal sealed class SharedJobsProbe : IDisposable
{
    private SharedJobsProbe(string root, string node, string file, string token)
    {
        Root = root;
        Node = node;
        File = file;
        Token = token;
    }

    public string Root { get; }
    public string Node { get; }
    public string File { get; }
    public string Token { get; }

    /// <summary>What the node's container runs: exits 0 when it reads the token at the server's path.</summary>
    public IList<string> Command => ["sh", "-c", "test \"$(cat \"$0\")\" = \"$1\"", File, Token];

    public static async Task<SharedJobsProbe> WriteAsync(string root, string node, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var file = Path.Combine(root, $".godocker-probe-{node}");
        // Never written through a name someone else made (a link planted there would have root write the token into
        // its target): whatever is there goes, and the file is created new (O_EXCL refuses a link put back meanwhile).
        System.IO.File.Delete(file);
        await using (var probe = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await probe.WriteAsync(System.Text.Encoding.ASCII.GetBytes(token), cancellationToken);
        }
        return new SharedJobsProbe(root, node, file, token);
    }

    /// <summary>The node's container did not read the token back.</summary>
    public InvalidOperationException NotSeen() => new(
        $"node {Node} does not see the job directories: {Root} there is not this server's {Root} "
        + "(mount the shared filesystem at the same path on every node and server)");

    /// <summary>The node lacks the image the check runs.</summary>
    public InvalidOperationException NoImage(string image, string? detail = null) => new(
        $"cannot check that node {Node} shares the job directories: image {image} (Jobs:DefaultImage) is not on it{(detail is null ? "" : $" ({detail})")}");

    public void Dispose() => System.IO.File.Delete(File);
}
