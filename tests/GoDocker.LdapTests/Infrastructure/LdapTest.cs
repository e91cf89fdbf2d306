using GoDocker.Server.Auth.Ldap;

namespace GoDocker.LdapTests.Infrastructure;

/// <summary>A test against the shared slapd: providers made here log to <see cref="Log"/> and are disposed after the test.</summary>
[Collection(SlapdCollection.Name)]
public abstract class LdapTest(Slapd slapd) : IDisposable
{
    protected static readonly CancellationToken Ct = CancellationToken.None;
    private readonly List<LdapAuthProvider> _providers = [];

    protected Slapd Slapd => slapd;
    protected RecordingLogger Log { get; } = new();

    /// <summary>A provider for <paramref name="options"/>, by default <see cref="Slapd.Options"/> (search with the service account).</summary>
    protected LdapAuthProvider Provider(LdapOptions? options = null)
    {
        var provider = new LdapAuthProvider(options ?? slapd.Options(), Log);
        _providers.Add(provider);
        return provider;
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}
