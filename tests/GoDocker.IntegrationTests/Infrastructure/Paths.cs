namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>Where the built server and CLI are, from the test assembly's own location.</summary>
public static class Paths
{
    public static string RepoRoot { get; } = FindRoot();

    private static string Configuration =>
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string ServerDll => Path.Combine(RepoRoot, "src/GoDocker.Server/bin", Configuration, "net10.0/godocker-server.dll");

    /// <summary>The server's own executable (its apphost), which `godocker server` hands over to.</summary>
    public static string ServerExecutable => Path.Combine(RepoRoot, "src/GoDocker.Server/bin", Configuration, "net10.0/godocker-server");

    /// <summary>The CLI: the NativeAOT binary when published (GODOCKER_CLI), else the JIT build.</summary>
    public static string Cli =>
        Environment.GetEnvironmentVariable("GODOCKER_CLI") is { Length: > 0 } cli
            ? cli
            : Path.Combine(RepoRoot, "src/GoDocker.Cli/bin", Configuration, "net10.0/godocker");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GoDocker.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("GoDocker.slnx not found above " + AppContext.BaseDirectory);
    }
}
