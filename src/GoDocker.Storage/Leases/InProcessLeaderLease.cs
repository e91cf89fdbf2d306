namespace GoDocker.Storage.Leases;

/// <summary>
/// The embedded mode's lease: one server, one SQLite file, so this process always leads. It never expires;
/// a release followed by an acquire still gives a greater token, as the shared lease does.
/// </summary>
public sealed class InProcessLeaderLease(string name, string holder) : ILeaderLease
{
    private readonly Lock gate = new();
    private Leadership? held;
    private long lastToken;

    public string Holder => holder;

    public ValueTask<Leadership?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            held ??= new Leadership(name, holder, ++lastToken, DateTimeOffset.MaxValue);
            return ValueTask.FromResult<Leadership?>(held);
        }
    }

    public ValueTask<Leadership?> RenewAsync(Leadership held, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return ValueTask.FromResult(this.held == held ? this.held : null);
        }
    }

    public ValueTask ReleaseAsync(Leadership held, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (this.held == held)
            {
                this.held = null;
            }
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<Leadership?> CurrentAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return ValueTask.FromResult(held);
        }
    }
}
