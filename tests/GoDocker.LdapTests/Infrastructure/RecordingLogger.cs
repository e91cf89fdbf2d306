using System.Collections.Concurrent;
using GoDocker.Server.Auth.Ldap;
using Microsoft.Extensions.Logging;

namespace GoDocker.LdapTests.Infrastructure;

/// <summary>Keeps every line the provider logs, with its exception, to check what it says and what it never says.</summary>
public sealed class RecordingLogger : ILogger<LdapAuthProvider>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}
