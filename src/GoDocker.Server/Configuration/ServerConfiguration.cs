namespace GoDocker.Server.Configuration;

/// <summary>
/// Where configuration comes from, later sources winning: the file (--config, else $GODOCKER_CONFIG,
/// else /etc/godocker/godocker.jsonc when present), GODOCKER_* environment variables, then flags.
/// </summary>
internal static class ServerConfiguration
{
    internal static readonly Dictionary<string, string> Flags = new()
    {
        ["--listen"] = "Server:Listen",
        ["--data-dir"] = "Server:DataDir",
        ["--docker"] = "Executor:Docker:Endpoint",
        ["--node-name"] = "Executor:Docker:NodeName",
        ["--default-image"] = "Jobs:DefaultImage",
        ["--policy"] = "Scheduler:Policy",
        ["--config"] = "ConfigFile",
    };

    public static void Load(ConfigurationManager configuration, string[] args)
    {
        configuration.Sources.Clear();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        var file = FlagValue(args, "--config") ?? Environment.GetEnvironmentVariable("GODOCKER_CONFIG");
        if (file is null && File.Exists("/etc/godocker/godocker.jsonc"))
        {
            file = "/etc/godocker/godocker.jsonc";
        }
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"configuration file {file} does not exist", file);
            }
            // The JSON provider accepts comments and trailing commas.
            configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }
        configuration.AddEnvironmentVariables("GODOCKER_");
        configuration.AddCommandLine(args, Flags);
    }

    private static string? FlagValue(string[] args, string flag)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == flag && i + 1 < args.Length)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith(flag + "=", StringComparison.Ordinal))
            {
                return args[i][(flag.Length + 1)..];
            }
        }
        return null;
    }
}
