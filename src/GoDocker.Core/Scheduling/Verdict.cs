namespace GoDocker.Scheduling;

/// <summary>An expected outcome of a scheduling stage, as a value: Ok, or why not.</summary>
public readonly record struct Verdict(VerdictKind Kind, string? Reason)
{
    public static readonly Verdict Ok = new(VerdictKind.Ok, null);
    public static Verdict Unschedulable(string reason) => new(VerdictKind.Unschedulable, reason);
    public static Verdict Never(string reason) => new(VerdictKind.Never, reason);
    public static Verdict Error(string reason) => new(VerdictKind.Error, reason);
    public bool IsOk => Kind == VerdictKind.Ok;
}

public enum VerdictKind
{
    Ok,
    /// <summary>Not now, for a reason a person can read; the job stays pending.</summary>
    Unschedulable,
    /// <summary>Can never be met (a dependency that ended the wrong way): the job ends Rejected with the reason.</summary>
    Never,
    /// <summary>A fault in the stage itself.</summary>
    Error,
}
