using System.CommandLine;
using System.Globalization;
using GoDocker.Cli.Exec;
using GoDocker.Cli.Output;
using GoDocker.Contracts;

namespace GoDocker.Cli.Commands;

/// <summary>
/// `godocker ssh-proxy ID [--port 22]`: relays this process's standard input and output to a TCP port inside a
/// running job, for ssh's ProxyCommand (scp, IDE remote development) when the job's image runs an sshd of the user's.
/// It is an exec, nothing more: the same authorization (a job of yours, or one you may control), the job's uid, the
/// timeline, the idle and maximum session times; no engine port and no port of the job is ever published. Inside the
/// job a relay the image has (nc, socat or python3) connects to 127.0.0.1:PORT, in the job's own network namespace.
/// </summary>
internal static class SshProxyCommand
{
    /// <summary>
    /// The relay, run by the job's /bin/sh with the port as $1: the first of nc, socat and python3 the image has (kept
    /// short: the job's timeline shows the command, cut at 300 characters, and the port must stay in view).
    /// </summary>
    internal const string RelayScript =
        "command -v nc >/dev/null && exec nc 127.0.0.1 $1; command -v socat >/dev/null && exec socat - TCP:127.0.0.1:$1; exec python3 -c \"$2\" $1";

    /// <summary>python3's relay: both ways until the service closes; our end of input half-closes its socket.</summary>
    internal const string PythonRelay =
        "import os, select, socket, sys\n" +
        "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n" +
        "fds = [0, s.fileno()]\n" +
        "while True:\n" +
        "    ready = select.select(fds, [], [])[0]\n" +
        "    if 0 in ready:\n" +
        "        data = os.read(0, 65536)\n" +
        "        if data:\n" +
        "            s.sendall(data)\n" +
        "        else:\n" +
        "            s.shutdown(socket.SHUT_WR)\n" +
        "            fds.remove(0)\n" +
        "    if s.fileno() in ready:\n" +
        "        data = s.recv(65536)\n" +
        "        if not data:\n" +
        "            break\n" +
        "        os.write(1, data)\n";

    public static Command Create(GlobalOptions global)
    {
        var id = JobIdArgument.Create("The running job to reach");
        var port = new Option<int>("--port", "-p") { Description = "The port inside the job (default 22, its sshd's)", HelpName = "PORT", DefaultValueFactory = _ => 22 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be from 1 to 65535");
            }
        });
        var proxy = new Command("ssh-proxy", "Relay stdin and stdout to a port inside a running job (an ssh ProxyCommand)") { id, port };
        proxy.SetAction(async (parse, cancellationToken) =>
        {
            var client = global.CreateClient(parse);
            var opened = await client.OpenExecAsync(parse.GetValue(id), Relay(parse.GetValue(port)), tty: false, stdin: true, size: null, cancellationToken);
            if (!opened.IsOk)
            {
                return await ProblemReport.WriteAsync(opened.Problem, cancellationToken);
            }
            var (status, _) = await TerminalSession.RunAsync(opened.Value, stdin: true, raw: false, followSize: false, detach: null, cancellationToken);
            if (status is { Reason: ExecStatus.Exited, ExitCode: { } code })
            {
                return code;
            }
            await Console.Error.WriteLineAsync($"godocker: ssh-proxy: {status?.Message ?? "the connection to the server ended"}".AsMemory(), cancellationToken);
            return status is null ? ExitCodes.Unreachable : ExitCodes.Refused;
        });
        return proxy;
    }

    internal static IReadOnlyList<string> Relay(int port) =>
        ["/bin/sh", "-c", RelayScript, "godocker-ssh-proxy", port.ToString(CultureInfo.InvariantCulture), PythonRelay];
}
