using System.Security.Cryptography;

namespace GoDocker.Server.Hosting;

/// <summary>
/// This server process's id among the servers sharing a database: the host, the API's address, and a random part,
/// so a restart is a new server (its lease and registry entry are its own) and two servers on one host differ.
/// </summary>
internal static class ServerIdentity
{
    /// <param name="listen">Server:Listen: one URL, or several separated by ';' (the first one's port names the server).</param>
    public static string New(string listen) =>
        $"{Environment.MachineName}/{Port(listen)}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    private static int Port(string listen) =>
        Uri.TryCreate(listen.Split(';', StringSplitOptions.TrimEntries)[0], UriKind.Absolute, out var uri) ? uri.Port : 0;
}
