namespace GoDocker.Server.Auth;

/// <summary>Configuration section "Auth".</summary>
public sealed class AuthOptions
{
    public const string NoAuthentication = "none";

    /// <summary>
    /// none: no authentication, every request acts as Server:LocalUser with admin rights (a single-user machine;
    /// keep the server on loopback). local: users and passwords in the store. ldap: bind as the user (section Auth:Ldap).
    /// </summary>
    public string Provider { get; set; } = NoAuthentication;

    /// <summary>No authentication: every request is the local user.</summary>
    public bool IsNone => Provider == NoAuthentication;
    /// <summary>Lifetime of the token `godocker login` obtains; personal API keys may set their own.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>
    /// Failed logins allowed per (login, client address) before each further attempt waits (429), and the base of the
    /// wider limits: 4× per address, 20× per login, in <see cref="FailedLoginWindow"/> (see <see cref="LoginThrottle"/>).
    /// </summary>
    public int MaxFailedLogins { get; set; } = 5;
    /// <summary>How long failures are remembered, and the longest wait between two attempts of a throttled pair.</summary>
    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>The wait after the failure that reaches <see cref="MaxFailedLogins"/>; it doubles with each further failure.</summary>
    public TimeSpan FailedLoginBackoff { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>With the local provider: this admin is created at start when no user exists yet, its password read from <see cref="BootstrapAdminPasswordFile"/>.</summary>
    public string? BootstrapAdmin { get; set; }
    public string? BootstrapAdminPasswordFile { get; set; }
    /// <summary>
    /// Lets Provider none start on a non-loopback Server:Listen address. Off by default: without authentication anyone who
    /// reaches the port, every job's container through the Docker bridge included, is an admin.
    /// </summary>
    public bool AllowNoneOnNetwork { get; set; }
}
