using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Keeps jobs off the host: new connections from the jobs' bridge to any address of the host are dropped in the
/// host's INPUT chain, except the ports the site opens; replies to what the host started pass (conntrack).
/// The rules live in one chain of their own, replaced as a whole in one iptables-restore transaction, and one
/// jump from INPUT per bridge, added once (-C before -I). Applies only to a bridge in this process's network
/// namespace; for any other engine the site applies <see cref="RulesFor"/> on the engine's host.
/// </summary>
public static class HostFirewall
{
    public const string Chain = "GODOCKER-INPUT";

    /// <summary>The rules, as iptables commands, for a site to apply by hand on an engine's host.</summary>
    public static string RulesFor(string bridge, IReadOnlyList<int> openPorts)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"iptables -w -N {Chain}; ");
        foreach (var rule in ChainRules(openPorts))
        {
            text.Append(CultureInfo.InvariantCulture, $"iptables -w -A {Chain} {rule}; ");
        }
        text.Append(CultureInfo.InvariantCulture, $"iptables -w -I INPUT -i {bridge} -j {Chain}");
        return text.ToString();
    }

    /// <summary>Installs the chain and the bridge's jump. Throws when iptables is missing or refuses.</summary>
    public static async Task ApplyAsync(string bridge, IReadOnlyList<int> openPorts, CancellationToken cancellationToken)
    {
        var restore = new StringBuilder("*filter\n");
        // Declaring the chain with --noflush empties it (or creates it): the whole chain is replaced atomically.
        restore.Append(CultureInfo.InvariantCulture, $":{Chain} - [0:0]\n");
        foreach (var rule in ChainRules(openPorts))
        {
            restore.Append(CultureInfo.InvariantCulture, $"-A {Chain} {rule}\n");
        }
        restore.Append("COMMIT\n");
        await RunAsync("iptables-restore", ["-w", "--noflush"], restore.ToString(), cancellationToken);
        var jump = new[] { "INPUT", "-i", bridge, "-j", Chain };
        if (await RunAsync("iptables", ["-w", "-C", .. jump], null, cancellationToken, check: true) != 0)
        {
            await RunAsync("iptables", ["-w", "-I", .. jump], null, cancellationToken);
        }
    }

    private static IEnumerable<string> ChainRules(IReadOnlyList<int> openPorts)
    {
        yield return "-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT";
        foreach (var port in openPorts)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"-p tcp --dport {port} -j ACCEPT");
            yield return string.Create(CultureInfo.InvariantCulture, $"-p udp --dport {port} -j ACCEPT");
        }
        yield return "-j DROP";
    }

    private static async Task<int> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken, bool check = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed (needed to keep jobs off the host; Debian: apt-get install iptables): {e.Message}", e);
        }
        using (process)
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            }
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0 && !check)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {(await error).Trim()}");
            }
            return process.ExitCode;
        }
    }
}
