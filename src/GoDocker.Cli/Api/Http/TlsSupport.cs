using System.Diagnostics.CodeAnalysis;

namespace GoDocker.Cli.Api.Http;

/// <summary>
/// Whether this build speaks https. Off unless built with <c>-p:GoDockerTls=true</c>. The TLS stack (SslStream, X.509,
/// OpenSSL interop) makes the binary half again as large, and a fresh NativeAOT process pays for its size at start-up:
/// about 0.4 ms more per `godocker submit`, which runs once per job. With the switch off the compiler removes the TLS code.
/// </summary>
internal static class TlsSupport
{
    public const string SwitchName = "GoDocker.Cli.Tls";

    [FeatureSwitchDefinition(SwitchName)]
    public static bool IsEnabled => AppContext.TryGetSwitch(SwitchName, out var enabled) && enabled;
}
