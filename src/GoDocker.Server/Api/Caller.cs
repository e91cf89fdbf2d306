using GoDocker.Server.Configuration;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Api;

/// <summary>
/// Who is making a request. Until an authentication provider is configured (multi-user sites), every
/// request acts as the one local user named in Server:LocalUser.
/// </summary>
public sealed class Caller(IOptions<GoDockerOptions> options)
{
    public string UserName(HttpContext context) => options.Value.Server.LocalUser;
}
