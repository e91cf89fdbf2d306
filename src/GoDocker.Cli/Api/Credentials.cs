namespace GoDocker.Cli.Api;

/// <summary>
/// The token `godocker login` obtained, kept in $XDG_CONFIG_HOME/godocker/token (else ~/.config/godocker/token),
/// readable by its owner only (0600, folder 0700). Three lines: the server it is for, the token's id, the token.
/// </summary>
internal static class Credentials
{
    public const string EnvironmentVariable = "GODOCKER_TOKEN";

    public sealed record Saved(string Server, long TokenId, string Token);

    public static string FilePath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "godocker", "token");
        }
    }

    public static Saved? Load()
    {
        try
        {
            var lines = File.ReadAllLines(FilePath);
            return lines.Length >= 3 && long.TryParse(lines[1], System.Globalization.CultureInfo.InvariantCulture, out var id)
                ? new Saved(lines[0], id, lines[2])
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static async Task SaveAsync(Saved saved, CancellationToken cancellationToken)
    {
        var file = FilePath;
        var folder = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = file + ".new";
        // Created 0600 before the secret is written, then moved into place.
        await using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{saved.Server}\n{saved.TokenId}\n{saved.Token}\n"), cancellationToken);
        }
        File.Move(temporary, file, overwrite: true);
    }

    public static bool Delete()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }
        File.Delete(FilePath);
        return true;
    }
}
