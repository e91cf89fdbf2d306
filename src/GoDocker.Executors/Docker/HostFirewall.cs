using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Keeps jobs off the host: new connections from the jobs' bridge to any address of the host are dropped in the
/// host's INPUT chain, except the ports the site opens; replies to what the host started pass (conntrack).
/// The rules live in one chain of their own, each added once (-C before -I/-A), and one jump from INPUT per bridge. Applies only to a bridge in this process's network
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

    /// <summary>
    /// Installs the chain and the bridge's jump, adding only what is missing (-C before each insert): several GoDocker
    /// servers on one host (tests, or instances sharing an engine) each add their open ports, none removes another's.
    /// Every step keeps the host closed: the DROP is in place before the jump that leads to it, and open ports are
    /// inserted above it. A port taken out of the configuration stays open until the chain is flushed
    /// (iptables -F GODOCKER-INPUT) or the host restarts. Throws when iptables is missing or refuses.
    /// </summary>
    public static async Task ApplyAsync(string bridge, IReadOnlyList<int> openPorts, CancellationToken cancellationToken)
    {
        if (await RunAsync("iptables", ["-w", "-n", "-L", Chain], null, cancellationToken, check: true) != 0)
        {
            await RunAsync("iptables", ["-w", "-N", Chain], null, cancellationToken, check: true);
        }
        var rules = ChainRules(openPorts).ToList();
        var drop = rules[^1];
        await EnsureAsync(Chain, drop, append: true, cancellationToken);
        // Accepts go above the DROP: replies first, then the open ports.
        foreach (var rule in rules[..^1].AsEnumerable().Reverse())
        {
            await EnsureAsync(Chain, rule, append: false, cancellationToken);
        }
        await EnsureAsync("INPUT", $"-i {bridge} -j {Chain}", append: false, cancellationToken);
    }

    private static async Task EnsureAsync(string chain, string rule, bool append, CancellationToken cancellationToken)
    {
        var words = rule.Split(' ');
        if (await RunAsync("iptables", ["-w", "-C", chain, .. words], null, cancellationToken, check: true) != 0)
        {
            await RunAsync("iptables", ["-w", append ? "-A" : "-I", chain, .. words], null, cancellationToken);
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
