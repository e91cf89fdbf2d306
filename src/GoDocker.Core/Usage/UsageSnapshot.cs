namespace GoDocker.Usage;

/// <summary>A user's or project's standing for fair share: configured shares and priority, and decayed usage.</summary>
public sealed record AccountStanding(double Shares, int Priority, DecayedUsage? Usage);

/// <summary>
/// Fair-share inputs of one cycle: every user and project the store knows a standing for. Accounts not listed
/// have <see cref="DefaultShares"/>, priority 0 and no past usage.
/// </summary>
public sealed record UsageSnapshot(
    IReadOnlyDictionary<string, AccountStanding> Users,
    IReadOnlyDictionary<string, AccountStanding> Projects)
{
    public static readonly UsageSnapshot Empty = new(new Dictionary<string, AccountStanding>(), new Dictionary<string, AccountStanding>());

    public double DefaultShares { get; init; } = 1;

    public AccountStanding User(string login) => Users.GetValueOrDefault(login) ?? new AccountStanding(DefaultShares, 0, null);

    public AccountStanding Project(string name) => Projects.GetValueOrDefault(name) ?? new AccountStanding(DefaultShares, 0, null);
}
