using System.Security.Cryptography;

namespace GoDocker.Server.Hosting;

/// <summary>
/// This server process's id among the servers sharing a database: the host, the API's address, and a random part,
/// so a restart is a new server (its lease and registry entry are its own) and two servers on one host differ.
/// </summary>
internal static class ServerIdentity
{
    public static string New(string listen) =>
        $"{Environment.MachineName}/{(Uri.TryCreate(listen, UriKind.Absolute, out var uri) ? uri.Port : 0)}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
