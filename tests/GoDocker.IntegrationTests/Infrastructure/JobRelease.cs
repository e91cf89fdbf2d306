using System.Globalization;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>
/// A job that waits for a file the test drops in its directory: it runs exactly as long as the test needs it to (for
/// the containers it looks for, the checks it makes while the job runs), however slow the machine, and no longer.
/// </summary>
internal static class JobRelease
{
    /// <summary>A script line that returns once the test dropped <paramref name="name"/> in the job's directory.</summary>
    public static string WaitFor(string name = "release") => $"while [ ! -e \"$GODOCKER_JOB_DIR/{name}\" ]; do sleep 0.5; done";

    /// <summary>
    /// Drops <paramref name="name"/> in job <paramref name="id"/>'s directory (under the server's data directory); a job
    /// without one yet never ran, so nothing waits (a release in a finally then leaves the test's own failure to be seen).
    /// </summary>
    public static async Task DropAsync(ServerProcess server, long id, string name = "release")
    {
        var directory = Path.Combine(server.DataDir, "jobs", id.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(directory))
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), "");
        }
    }
}
