using System.Diagnostics;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>scripts/postgres.sh, run as a test would from a shell: its standard output is what it prints for a caller.</summary>
internal static class PostgresScript
{
    public static string Path { get; } = FindScript();

    /// <summary>Runs the script with <paramref name="arguments"/>; its output when it exits 0, an exception naming its error otherwise.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var (code, output, error) = await TryRunAsync(arguments);
        return code == 0
            ? output
            : throw new InvalidOperationException($"scripts/postgres.sh {string.Join(' ', arguments)} exited {code}: {error}");
    }

    public static async Task<(int Code, string Output, string Error)> TryRunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim(), (await error).Trim());
    }

    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var script = System.IO.Path.Combine(folder.FullName, "scripts", "postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new FileNotFoundException($"scripts/postgres.sh above {AppContext.BaseDirectory}");
    }
}
