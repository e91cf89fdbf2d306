namespace GoDocker.Server.Configuration;

/// <summary>
/// The server's command line, checked before anything starts: --help prints the usage and exits 0; a flag the
/// server does not know exits 2 naming it. (The configuration's command-line provider takes any `--name value` as a
/// key of its own, so a mistyped `--data-dri` would otherwise be silently ignored and the server start on the default.)
/// </summary>
internal static class ServerCommandLine
{
    public const int UsageError = 2;

    private static readonly (string Flag, string Value, string Description)[] Documented =
    [
        ("--config", "FILE", "configuration file, JSON with comments (default: $GODOCKER_CONFIG, else /etc/godocker/godocker.jsonc when present)"),
        ("--listen", "URL", "where the REST API listens (Server:Listen, default http://127.0.0.1:8080)"),
        ("--data-dir", "DIR", "database and job directories (Server:DataDir, default /var/lib/godocker); one server per directory"),
        ("--docker", "ENDPOINT", "the Docker engine (Executor:Docker:Endpoint, default unix:///var/run/docker.sock)"),
        ("--node-name", "NAME", "the name of that engine's node (Executor:Docker:NodeName)"),
        ("--default-image", "IMAGE", "image of jobs that name none (Jobs:DefaultImage)"),
        ("--policy", "NAME", "queue order: fifo or fairshare (Scheduler:Policy)"),
    ];

    /// <summary>
    /// The exit code when the process must stop here (help printed: 0; bad command line: <see cref="UsageError"/>),
    /// null when the server may start.
    /// </summary>
    public static int? Answer(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            stdout.Write(Usage);
            return 0;
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Refuse(stderr, $"unexpected argument '{arg}'");
            }
            var name = arg.Split('=', 2)[0];
            // --Section:Key VALUE sets any configuration key (as GODOCKER_Section__Key does).
            var known = ServerConfiguration.Flags.ContainsKey(name) || (name.Length > 2 && name.Contains(':', StringComparison.Ordinal));
            if (!known)
            {
                return Refuse(stderr, $"unknown flag '{name}'");
            }
            if (!arg.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return Refuse(stderr, $"flag '{name}' needs a value");
                }
                i++;
            }
        }
        return null;
    }

    public static string Usage
    {
        get
        {
            var flags = string.Join("", Documented.Select(d => $"  {d.Flag + " " + d.Value,-24}{d.Description}\n"));
            return $"""
                Usage: godocker-server [FLAGS]     (or: godocker server [FLAGS])

                Runs the GoDocker server in the foreground: REST API, scheduler and executors.

                Flags (--flag VALUE or --flag=VALUE):
                {flags}  {"--Section:Key VALUE",-24}any configuration key, e.g. --Auth:Provider local
                  {"-h, --help",-24}print this help and exit

                Configuration, later sources winning: built-in defaults; the file (--config); environment
                variables GODOCKER_Section__Key (e.g. GODOCKER_Server__Listen, GODOCKER_Auth__Provider); flags.
                Every key, commented, with its default: config/godocker.sample.jsonc.

                """;
        }
    }

    private static int Refuse(TextWriter stderr, string message)
    {
        stderr.WriteLine($"godocker-server: {message} (godocker-server --help lists the flags)");
        return UsageError;
    }
}
