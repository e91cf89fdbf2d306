using System.Text;

namespace GoDocker.Server.Auth.Ldap;

/// <summary>
/// Configuration section "Auth:Ldap": where the directory is, how people and their groups are found in it.
/// Placeholders: <c>{0}</c> is the login (escaped for a filter, or for a DN in <see cref="UserDnTemplate"/>);
/// in <see cref="GroupFilter"/> also <c>{1}</c> the user's DN and <c>{2}</c> their primary gid.
/// </summary>
public sealed record LdapOptions
{
    /// <summary><c>ldap://host[:389]</c>, or <c>ldaps://host[:636]</c> for TLS from the first byte.</summary>
    public string Url { get; init; } = "ldap://127.0.0.1:389";

    /// <summary>Upgrade an <c>ldap://</c> connection with StartTLS before anything is sent. Never with <c>ldaps://</c>.</summary>
    public bool UseStartTls { get; init; }

    /// <summary>
    /// PEM file of the CA that signed the directory's certificate, trusted in addition to the system's
    /// (libldap's TLS_CACERT). Certificates are always verified: there is no switch to turn that off, because
    /// System.DirectoryServices.Protocols on Linux cannot set it per connection (its callback is Windows-only),
    /// and a process-wide libldap setting would weaken every other connection too.
    /// </summary>
    /// <remarks>
    /// Handed to libldap as a private directory holding a copy of the file. Debian's and Ubuntu's libldap
    /// (GnuTLS) read every file there; an OpenSSL-built libldap looks CAs up by subject hash instead, and
    /// would need the CA in its own TLS_CACERT.
    /// </remarks>
    public string? TrustedCaFile { get; init; }

    /// <summary>Where people are searched (subtree). Required unless <see cref="UserDnTemplate"/> is set.</summary>
    public string? UserBaseDn { get; init; }

    /// <summary>A person with this login; must hold exactly one entry. Other object classes (AD: user) go here.</summary>
    public string UserFilter { get; init; } = "(&(objectClass=posixAccount)(uid={0}))";

    /// <summary>The attribute holding the login: the identity carries its value as the directory spells it.</summary>
    public string LoginAttribute { get; init; } = "uid";

    /// <summary>
    /// Direct bind, no search: <c>uid={0},ou=people,dc=example,dc=org</c>. Authentication binds as that DN and
    /// reads the entry (and groups) as the user; look-ups without a password read it with the service bind or anonymously.
    /// </summary>
    public string? UserDnTemplate { get; init; }

    /// <summary>Service account for look-ups. Unset: look-ups are anonymous.</summary>
    public string? BindDn { get; init; }

    /// <summary>Its password; required with <see cref="BindDn"/> (an empty one would be an unauthenticated, anonymous bind).</summary>
    public string? BindPassword { get; init; }

    /// <summary>Where groups are searched (subtree) with <see cref="GroupFilter"/>. Unset: only <see cref="UseMemberOf"/> names groups.</summary>
    public string? GroupBaseDn { get; init; }

    /// <summary>
    /// The user's groups: by default posixGroups listing the login in memberUid, and the one whose gidNumber is the
    /// primary gid (so its name is known). RFC 2307bis directories: <c>(&amp;(objectClass=posixGroup)(member={1}))</c>.
    /// Each group contributes its cn, and its gidNumber when it has one.
    /// </summary>
    public string GroupFilter { get; init; } = "(&(objectClass=posixGroup)(|(memberUid={0})(gidNumber={2})))";

    /// <summary>Also name the groups in the user's memberOf (the first RDN's value: cn=admins,ou=… gives admins); they carry no gid.</summary>
    public bool UseMemberOf { get; init; } = true;

    /// <summary>The longest one authentication or look-up may take, connecting included; past it, a <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>True for <c>ldaps://</c>.</summary>
    public bool UsesLdaps => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme == "ldaps";

    /// <summary>Every setting but <see cref="BindPassword"/>, which a logged or printed record must not show.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Url = {Url}, UseStartTls = {UseStartTls}, TrustedCaFile = {TrustedCaFile}, UserBaseDn = {UserBaseDn}, ");
        builder.Append($"UserFilter = {UserFilter}, LoginAttribute = {LoginAttribute}, UserDnTemplate = {UserDnTemplate}, ");
        builder.Append($"BindDn = {BindDn}, BindPassword = {(BindPassword is null ? "" : "***")}, GroupBaseDn = {GroupBaseDn}, ");
        builder.Append($"GroupFilter = {GroupFilter}, UseMemberOf = {UseMemberOf}, Timeout = {Timeout}");
        return true;
    }

    /// <summary>What is wrong with this configuration, in words for the operator; empty when it can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ldap" or "ldaps") || uri.Host.Length == 0)
        {
            problems.Add($"Url '{Url}' is not ldap://host[:port] or ldaps://host[:port]");
        }
        if (UseStartTls && UsesLdaps)
        {
            problems.Add("UseStartTls is for ldap:// URLs; ldaps:// is TLS already");
        }
        if (TrustedCaFile is not null && !UseStartTls && !UsesLdaps)
        {
            problems.Add("TrustedCaFile is set but the connection is not TLS: use ldaps:// or UseStartTls");
        }
        if (string.IsNullOrWhiteSpace(UserBaseDn) && string.IsNullOrWhiteSpace(UserDnTemplate))
        {
            problems.Add("set UserBaseDn (search) or UserDnTemplate (direct bind)");
        }
        if (!UserFilter.Contains("{0}", StringComparison.Ordinal))
        {
            problems.Add($"UserFilter '{UserFilter}' has no {{0}} for the login");
        }
        if (UserDnTemplate is not null && !UserDnTemplate.Contains("{0}", StringComparison.Ordinal))
        {
            problems.Add($"UserDnTemplate '{UserDnTemplate}' has no {{0}} for the login");
        }
        if (!string.IsNullOrEmpty(BindDn) && string.IsNullOrEmpty(BindPassword))
        {
            problems.Add("BindDn is set without BindPassword: that would be an unauthenticated (anonymous) bind");
        }
        if (string.IsNullOrEmpty(BindDn) && !string.IsNullOrEmpty(BindPassword))
        {
            problems.Add("BindPassword is set without BindDn");
        }
        if (string.IsNullOrWhiteSpace(LoginAttribute))
        {
            problems.Add("LoginAttribute is empty");
        }
        if (Timeout <= TimeSpan.Zero || Timeout.TotalSeconds > int.MaxValue)
        {
            problems.Add($"Timeout {Timeout} is not a positive duration");
        }
        return problems;
    }
}
