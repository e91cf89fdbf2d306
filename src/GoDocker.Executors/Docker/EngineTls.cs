using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet.X509;

namespace GoDocker.Executors.Docker;

/// <summary>
/// Mutual TLS to a Docker engine, as <c>docker --tlsverify</c> does it: this server presents its client certificate
/// (cert.pem, key.pem), and believes an engine only if its certificate chains to the site CA (ca.pem) — not to
/// the machine's public roots — and names the address dialled. Files as Docker's DOCKER_CERT_PATH lays them out
/// (scripts/certs.sh makes them).
/// </summary>
public sealed class EngineTls
{
    public const string CaFile = "ca.pem";
    public const string CertFile = "cert.pem";
    public const string KeyFile = "key.pem";

    private readonly X509Certificate2 authority;

    private EngineTls(X509Certificate2 authority, X509Certificate2 client)
    {
        this.authority = authority;
        Client = client;
    }

    /// <summary>This server's certificate, with its private key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>Loads the three files of <paramref name="folder"/>. Throws <see cref="EngineTlsException"/> saying which file is wrong and how.</summary>
    public static EngineTls Load(string folder)
    {
        var ca = Path.Combine(folder, CaFile);
        var cert = Path.Combine(folder, CertFile);
        var key = Path.Combine(folder, KeyFile);
        foreach (var file in new[] { ca, cert, key })
        {
            if (!File.Exists(file))
            {
                throw new EngineTlsException($"{file} does not exist (scripts/certs.sh client DIR NAME makes ca.pem, cert.pem, key.pem)");
            }
        }
        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(ca);
        }
        catch (CryptographicException e)
        {
            throw new EngineTlsException($"{ca} is not a PEM certificate: {e.Message}");
        }
        if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new EngineTlsException($"{ca} is not a CA certificate (basicConstraints CA:true)");
        }
        X509Certificate2 client;
        try
        {
            client = X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new EngineTlsException($"{cert} and {key} are not a PEM certificate and its private key: {e.Message}");
        }
        return new EngineTls(authority, client);
    }

    /// <summary>The Docker client's credentials: the client certificate, and <see cref="Trusts"/> for the engine's.</summary>
    public CertificateCredentials Credentials() => new(Client) { ServerCertificateValidationCallback = Trusts };

    /// <summary>
    /// The engine's certificate is believed when it names the host dialled and chains to the site CA alone. The
    /// platform reports a chain error for every private CA; that one is judged here, against ca.pem only.
    /// </summary>
    public bool Trusts(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }
        using var engine = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.Add(authority);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                own.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return own.Build(engine) && own.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span);
    }
}

/// <summary>A TLS folder that cannot be used, with what is wrong.</summary>
public sealed class EngineTlsException(string message) : Exception(message);
