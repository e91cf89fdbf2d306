using System.Net.Sockets;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Whether an engine shares this server's mount and network namespaces: only then can the server stage a volume's
/// mount for it, or firewall its jobs' bridge. Known only for a local engine (unix socket): the engine's pid comes
/// from the socket's peer credentials, its namespaces from /proc. A tcp:// engine shares neither, as far as we know.
/// </summary>
public sealed record EngineNamespaces(bool SameMount, bool SameNetwork)
{
    public static readonly EngineNamespaces Remote = new(false, false);

    public static async Task<EngineNamespaces> ProbeAsync(string endpoint, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "unix")
        {
            return Remote;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(uri.AbsolutePath), cancellationToken);
            // SOL_SOCKET, SO_PEERCRED: struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            var credentials = new byte[12];
            socket.GetRawSocketOption(1, 17, credentials);
            var pid = BitConverter.ToInt32(credentials, 0);
            return new EngineNamespaces(Same(pid, "mnt"), Same(pid, "net"));
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            return Remote;
        }
    }

    private static bool Same(int pid, string kind)
    {
        var theirs = new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget;
        var ours = new FileInfo($"/proc/self/ns/{kind}").LinkTarget;
        return theirs is not null && theirs == ours;
    }
}
