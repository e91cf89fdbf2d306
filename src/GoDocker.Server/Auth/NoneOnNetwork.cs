using GoDocker.Server.Configuration;
using GoDocker.Server.RequestGuards;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Auth;

/// <summary>
/// Auth:Provider none makes every request an admin. On a non-loopback address that is anyone who reaches the port,
/// including every job's container through the Docker bridge: the server refuses to start so unless the operator
/// sets Auth:AllowNoneOnNetwork.
/// </summary>
internal static class NoneOnNetwork
{
    public static void Check(AuthOptions auth, ServerOptions server)
    {
        if (auth.IsNone && !auth.AllowNoneOnNetwork && !ServerAuthorities.ListensOnLoopbackOnly(server.Listen))
        {
            throw new OptionsValidationException("Auth:AllowNoneOnNetwork", typeof(AuthOptions),
                [$"Auth:Provider is none (no authentication: every request is an admin) and Server:Listen {server.Listen} is not a loopback address: "
                + "anyone who reaches it, every job included, would control the server. Listen on 127.0.0.1, set Auth:Provider to local or ldap, "
                + "or set Auth:AllowNoneOnNetwork to true to accept that."]);
        }
    }
}
