using System.Diagnostics;

namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>Runs the `godocker` client as a user would: a new process, its exit code, stdout and stderr.</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(Uri server, string workingDirectory, params string[] args) =>
        RunAsync(server, workingDirectory, null, new Dictionary<string, string>(), args);

    public static Task<Result> RunAsync(Uri server, string workingDirectory, string? stdin, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunProgramAsync(Paths.Cli, server, workingDirectory, stdin, environment, args);

    /// <summary>The CLI started by another name: a godocker-kill link to it runs `godocker kill` (MultiCall).</summary>
    public static async Task<Result> RunProgramAsync(string program, Uri server, string workingDirectory, string? stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.Environment["GODOCKER_URL"] = server.ToString().TrimEnd('/');
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
