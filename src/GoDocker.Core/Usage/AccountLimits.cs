namespace GoDocker.Usage;

/// <summary>What an administrator set for one user or project: fair-share shares and priority, and its own quota.</summary>
public sealed record AccountLimits(AccountKind Kind, string Name, double? Shares, int? Priority, Quota Quota);

public enum AccountKind
{
    User,
    Project,
}

public static class AccountKinds
{
    public static string Name(this AccountKind kind) => kind == AccountKind.User ? "user" : "project";

    public static AccountKind? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "user" or "users" => AccountKind.User,
        "project" or "projects" => AccountKind.Project,
        _ => null,
    };
}
