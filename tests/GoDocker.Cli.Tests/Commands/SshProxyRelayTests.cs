using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GoDocker.Cli.Commands;

namespace GoDocker.Cli.Tests.Commands;

/// <summary>
/// The relay `godocker ssh-proxy` runs inside a job, run here by this machine's /bin/sh against a local service: with
/// only python3 on its PATH (an image without nc or socat), the python relay carries both ways and half-closes.
/// </summary>
public sealed class SshProxyRelayTests : IDisposable
{
    private readonly string bin = Directory.CreateTempSubdirectory("relay-bin").FullName;

    public void Dispose() => Directory.Delete(bin, recursive: true);

    [Fact]
    public async Task WithoutNcOrSocat_ThePythonRelay_CarriesTheConversation_AndEndsWhenTheServiceCloses()
    {
        File.CreateSymbolicLink(Path.Combine(bin, "python3"), "/usr/bin/python3");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The service reads until the client's end of input, then answers in capitals and closes.
        var service = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            using var received = new MemoryStream();
            await stream.CopyToAsync(received);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(received.ToArray()).ToUpperInvariant()));
        });

        var argv = SshProxyCommand.Relay(port);
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PATH"] = bin;
        using var relay = Process.Start(info)!;
        await relay.StandardInput.WriteAsync("ssh-2.0-hello");
        relay.StandardInput.Close();
        var output = await relay.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await relay.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await service;

        Assert.Equal("SSH-2.0-HELLO", output);
        Assert.Equal(0, relay.ExitCode);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{port}"), argv[4]);
    }
}
