namespace GoDocker.Server.Auth.Ldap;

/// <summary>
/// A directory of its own holding a copy of one CA file: System.DirectoryServices.Protocols hands libldap
/// trusted CAs per connection only as a directory (LDAP_OPT_X_TLS_CACERTDIR). Made on first use, removed on dispose.
/// </summary>
internal sealed class PrivateCaDirectory(string caFile) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile string? _path;

    /// <summary>The directory, once <see cref="GetPathAsync"/> has made it; null before.</summary>
    public string? Path => _path;

    public async ValueTask<string> GetPathAsync(CancellationToken cancellationToken)
    {
        if (_path is { } ready)
        {
            return ready;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _path ??= await CreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var pem = await File.ReadAllTextAsync(caFile, cancellationToken);
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Auth:Ldap:TrustedCaFile {caFile} holds no PEM certificate");
        }
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "godocker-ldap-ca-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(path, "ca.pem"), pem, cancellationToken);
            return path;
        }
        catch
        {
            Directory.Delete(path, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        if (_path is { } path && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        _gate.Dispose();
    }
}
