using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using GoDocker.Access;

namespace GoDocker.Server.Auth.Ldap;

/// <summary>
/// People in an LDAP directory (OpenLDAP, 389 DS, FreeIPA, AD with RFC 2307 attributes). Authentication finds the
/// user's DN (search with the service account or anonymously, or <see cref="LdapOptions.UserDnTemplate"/>), then
/// binds as that DN with the password: the directory, not this server, checks it. The identity is read from
/// posixAccount (uidNumber, gidNumber, homeDirectory, mail) and the user's groups (<see cref="LdapOptions.GroupFilter"/>,
/// memberOf). Without those attributes a person is not a user of this site: null, as for a wrong password.
/// </summary>
/// <remarks>
/// Every call opens its own connections (logins are rare; no pool to go stale) and runs the synchronous
/// System.DirectoryServices.Protocols calls on the thread pool; the caller waits at most
/// <see cref="LdapOptions.Timeout"/>. Faults (unreachable directory, TLS refused, service account refused, bad
/// base DN, timeout) are exceptions, never null. Passwords are neither logged nor kept.
/// </remarks>
public sealed class LdapAuthProvider : IAuthProvider, IDisposable
{
    public const string ProviderName = "ldap";
    private const int InvalidCredentials = 49;

    private readonly LdapOptions _options;
    private readonly ILogger<LdapAuthProvider> _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly PrivateCaDirectory? _trustedCas;
    private readonly string[] _userAttributes;

    public LdapAuthProvider(LdapOptions options, ILogger<LdapAuthProvider> logger)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Auth:Ldap: " + string.Join("; ", problems));
        }
        _options = options;
        _logger = logger;
        var url = new Uri(options.Url);
        _host = url.Host;
        _port = url.IsDefaultPort || url.Port < 0 ? (options.UsesLdaps ? 636 : 389) : url.Port;
        _trustedCas = options.TrustedCaFile is { } caFile ? new PrivateCaDirectory(caFile) : null;
        _userAttributes = options.UseMemberOf
            ? [options.LoginAttribute, "uidNumber", "gidNumber", "homeDirectory", "mail", "memberOf"]
            : [options.LoginAttribute, "uidNumber", "gidNumber", "homeDirectory", "mail"];
        if (!options.UsesLdaps && !options.UseStartTls)
        {
            logger.LogWarning("Auth:Ldap: {Url} without TLS: passwords cross the network in clear text (use ldaps:// or UseStartTls)", options.Url);
        }
    }

    public string Name => ProviderName;

    public ValueTask<UserIdentity?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken)
    {
        // An empty password makes a simple bind "unauthenticated" (RFC 4513 §5.1.2), which many directories answer
        // with success. libldap takes the password as a C string, so "\0anything" would be empty too.
        if (string.IsNullOrEmpty(login) || string.IsNullOrEmpty(password) || password.Contains('\0', StringComparison.Ordinal))
        {
            return ValueTask.FromResult<UserIdentity?>(null);
        }
        return RunAsync(deadline => Authenticate(login, password, deadline), cancellationToken);
    }

    public ValueTask<UserIdentity?> FindAsync(string login, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(login))
        {
            return ValueTask.FromResult<UserIdentity?>(null);
        }
        return RunAsync(deadline =>
        {
            using var lookup = ConnectForLookup();
            deadline.ThrowIfCancellationRequested();
            var entry = FindUser(lookup, login);
            return entry is null ? null : Identify(lookup, entry, login);
        }, cancellationToken);
    }

    public void Dispose() => _trustedCas?.Dispose();

    private UserIdentity? Authenticate(string login, string password, CancellationToken deadline)
    {
        if (_options.UserDnTemplate is { } template)
        {
            // Direct bind: the entry is read as the user, who may be the only one allowed to read it.
            var dn = template.Replace("{0}", LdapEscape.DnValue(login), StringComparison.Ordinal);
            using var asUser = Connect();
            if (!TryBind(asUser, dn, password))
            {
                return null;
            }
            deadline.ThrowIfCancellationRequested();
            var own = FindUserAt(asUser, dn, login);
            return own is null ? null : Identify(asUser, own, login);
        }

        using var lookup = ConnectForLookup();
        deadline.ThrowIfCancellationRequested();
        var entry = FindUser(lookup, login);
        deadline.ThrowIfCancellationRequested();
        using (var asUser = Connect())
        {
            if (entry is null)
            {
                // Same round trips as a wrong password, so an unknown login does not answer faster.
                TryBind(asUser, $"{_options.LoginAttribute}={LdapEscape.DnValue(login)},{_options.UserBaseDn}", password);
                return null;
            }
            if (!TryBind(asUser, entry.DistinguishedName, password))
            {
                return null;
            }
        }
        deadline.ThrowIfCancellationRequested();
        return Identify(lookup, entry, login);
    }

    /// <summary>A connection, TLS established when configured, not bound yet (or bound anonymously, for StartTLS).</summary>
    private LdapConnection Connect()
    {
        var connection = new LdapConnection(new LdapDirectoryIdentifier(_host, _port), null, AuthType.Anonymous)
        {
            Timeout = _options.Timeout,
            AutoBind = false,
        };
        try
        {
            var session = connection.SessionOptions;
            session.ProtocolVersion = 3;
            // A referral could send the user's credentials to another server.
            session.ReferralChasing = ReferralChasingOptions.None;
            if (_options.UsesLdaps)
            {
                session.SecureSocketLayer = true;
            }
            if (_trustedCas is not null)
            {
                session.TrustedCertificatesDirectory = _trustedCas.Path
                    ?? throw new InvalidOperationException("the trusted CA directory is made before connecting");
                session.StartNewTlsSessionContext();
            }
            if (_options.UseStartTls)
            {
                // On Linux the library hands libldap the server's URL only when binding; StartTLS before that would
                // go to libldap's default host. So: bind anonymously (nothing secret), then StartTLS, which throws
                // when the certificate is not trusted, before any credentials are sent.
                connection.Bind();
                session.StartTransportLayerSecurity(null);
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A connection bound as the service account, or anonymously without one.</summary>
    private LdapConnection ConnectForLookup()
    {
        var connection = Connect();
        try
        {
            if (string.IsNullOrEmpty(_options.BindDn))
            {
                if (!_options.UseStartTls)
                {
                    connection.Bind();
                }
            }
            else if (!TryBind(connection, _options.BindDn, _options.BindPassword!))
            {
                // A refused service account is a configuration fault, never "no such user".
                throw new InvalidOperationException(
                    $"LDAP {_options.Url}: the service account {_options.BindDn} was refused (invalid credentials): check Auth:Ldap:BindDn and BindPassword");
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>False for a wrong password or an unknown DN (the directory does not tell them apart either); other faults throw.</summary>
    private static bool TryBind(LdapConnection connection, string dn, string password)
    {
        connection.AuthType = AuthType.Basic;
        try
        {
            connection.Bind(new NetworkCredential(dn, password));
            return true;
        }
        catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
        {
            return false;
        }
    }

    private SearchResultEntry? FindUser(LdapConnection connection, string login)
    {
        if (string.IsNullOrEmpty(_options.UserBaseDn))
        {
            var dn = _options.UserDnTemplate!.Replace("{0}", LdapEscape.DnValue(login), StringComparison.Ordinal);
            return FindUserAt(connection, dn, login);
        }
        var filter = UserFilterFor(login);
        SearchResponse found;
        try
        {
            // Two are enough to see that a login is ambiguous.
            found = Search(connection, _options.UserBaseDn, SearchScope.Subtree, filter, _userAttributes, sizeLimit: 2);
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.SizeLimitExceeded)
        {
            found = (SearchResponse)e.Response;
        }
        if (found.Entries.Count > 1)
        {
            _logger.LogWarning("LDAP: login {Login} matches several entries under {BaseDn} ({Filter}); refusing it", login, _options.UserBaseDn, filter);
            return null;
        }
        return found.Entries.Count == 1 ? found.Entries[0] : null;
    }

    /// <summary>The entry at <paramref name="dn"/> when it passes the user filter; null when there is none.</summary>
    private SearchResultEntry? FindUserAt(LdapConnection connection, string dn, string login)
    {
        try
        {
            var found = Search(connection, dn, SearchScope.Base, UserFilterFor(login), _userAttributes);
            return found.Entries.Count == 1 ? found.Entries[0] : null;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
        {
            return null;
        }
    }

    private string UserFilterFor(string login) =>
        _options.UserFilter.Replace("{0}", LdapEscape.FilterValue(login), StringComparison.Ordinal);

    private UserIdentity? Identify(LdapConnection connection, SearchResultEntry entry, string login)
    {
        var uid = IntValue(entry, "uidNumber");
        var gid = IntValue(entry, "gidNumber");
        var home = Values(entry, "homeDirectory").FirstOrDefault();
        if (uid is null || gid is null || string.IsNullOrEmpty(home))
        {
            var missing = uid is null ? "uidNumber" : gid is null ? "gidNumber" : "homeDirectory";
            _logger.LogWarning("LDAP: {Dn} has no usable {Attribute}; not a user of this site", entry.DistinguishedName, missing);
            return null;
        }
        if (uid == 0 || gid == 0)
        {
            // Root in the directory is not a user of this site: its jobs would run as root without a root grant.
            _logger.LogWarning("LDAP: {Dn} has uidNumber {Uid}, gidNumber {Gid} (root); not a user of this site", entry.DistinguishedName, uid, gid);
            return null;
        }
        // The login as the directory spells it ("Alice" finds uid=alice): ownership and ACLs compare it.
        var canonical = Values(entry, _options.LoginAttribute).FirstOrDefault(v => v.Equals(login, StringComparison.OrdinalIgnoreCase)) ?? login;

        var groups = new SortedSet<string>(StringComparer.Ordinal);
        var secondaryGids = new SortedSet<int>();
        if (!string.IsNullOrEmpty(_options.GroupBaseDn))
        {
            var filter = _options.GroupFilter
                .Replace("{0}", LdapEscape.FilterValue(canonical), StringComparison.Ordinal)
                .Replace("{1}", LdapEscape.FilterValue(entry.DistinguishedName), StringComparison.Ordinal)
                .Replace("{2}", gid.Value.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var found = Search(connection, _options.GroupBaseDn, SearchScope.Subtree, filter, ["cn", "gidNumber"]);
            foreach (SearchResultEntry group in found.Entries)
            {
                if (Values(group, "cn").FirstOrDefault() is { Length: > 0 } name)
                {
                    groups.Add(name);
                }
                if (IntValue(group, "gidNumber") is { } groupGid && groupGid != gid)
                {
                    secondaryGids.Add(groupGid);
                }
            }
        }
        if (_options.UseMemberOf)
        {
            foreach (var groupDn in Values(entry, "memberOf"))
            {
                if (LdapEscape.FirstRdnValue(groupDn) is { } name)
                {
                    groups.Add(name);
                }
            }
        }

        return new UserIdentity
        {
            Login = canonical,
            Uid = uid.Value,
            Gid = gid.Value,
            SecondaryGids = [.. secondaryGids],
            Groups = [.. groups],
            Home = home,
            Email = Values(entry, "mail").FirstOrDefault(),
        };
    }

    private SearchResponse Search(LdapConnection connection, string baseDn, SearchScope scope, string filter, string[] attributes, int sizeLimit = 0)
    {
        var request = new SearchRequest(baseDn, filter, scope, attributes) { SizeLimit = sizeLimit, TimeLimit = _options.Timeout };
        return (SearchResponse)connection.SendRequest(request, _options.Timeout);
    }

    private static int? IntValue(SearchResultEntry entry, string attribute) =>
        int.TryParse(Values(entry, attribute).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static IEnumerable<string> Values(SearchResultEntry entry, string attribute)
    {
        // Servers answer with the schema's spelling (memberOf for memberof): match names without case.
        foreach (string name in entry.Attributes.AttributeNames)
        {
            if (name.Equals(attribute, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in entry.Attributes[name].GetValues(typeof(string)))
                {
                    yield return (string)value;
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> (synchronous library calls) on the thread pool; the caller waits at most
    /// Timeout and can cancel. Work left behind by a timeout or cancellation stops at its next check, or when
    /// libldap gives up; its outcome is observed and dropped.
    /// </summary>
    private async ValueTask<UserIdentity?> RunAsync(Func<CancellationToken, UserIdentity?> work, CancellationToken cancellationToken)
    {
        if (_trustedCas is not null)
        {
            await _trustedCas.GetPathAsync(cancellationToken);
        }
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        var task = Task.Run(() => work(deadline.Token), deadline.Token);
        _ = task.ContinueWith(t => { _ = t.Exception; deadline.Dispose(); }, TaskScheduler.Default);
        try
        {
            return await task.WaitAsync(_options.Timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"LDAP {_options.Url} did not answer within {_options.Timeout}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline fired inside the work, between two calls.
            throw new TimeoutException($"LDAP {_options.Url} did not answer within {_options.Timeout}", e);
        }
        catch (LdapException e)
        {
            var detail = string.IsNullOrEmpty(e.ServerErrorMessage) ? "" : $" ({e.ServerErrorMessage})";
            throw new LdapException(e.ErrorCode, $"LDAP {_options.Url}: {e.Message}{detail}", e);
        }
        catch (DirectoryOperationException e)
        {
            throw new InvalidOperationException($"LDAP {_options.Url}: {e.Response?.ResultCode}: {e.Message} {e.Response?.ErrorMessage}".TrimEnd(), e);
        }
    }
}
