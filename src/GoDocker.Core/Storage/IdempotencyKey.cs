namespace GoDocker.Storage;

/// <summary>
/// A client's Idempotency-Key on a submit, scoped to its owner, with the fingerprint of what was submitted under it:
/// within <see cref="Lifetime"/> the same key with the same fingerprint is the same submit, with another one a mistake.
/// </summary>
public sealed record IdempotencyKey(string Key, string Fingerprint)
{
    /// <summary>How long a key is remembered; older keys are purged and may be used again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
}

/// <summary>What a submit under an idempotency key did.</summary>
public enum KeyedOutcome
{
    /// <summary>First use of the key: the jobs and the key were stored together.</summary>
    Stored,
    /// <summary>The key was used before with the same fingerprint: nothing stored, <see cref="KeyedSubmission.FirstJobId"/> is the earlier job.</summary>
    Replayed,
    /// <summary>The key was used before for something else: nothing stored.</summary>
    KeyReused,
}

/// <summary>The outcome of a keyed submit; <see cref="Stored"/> holds the new jobs (the tasks, for an array) when stored.</summary>
public sealed record KeyedSubmission(KeyedOutcome Outcome, long FirstJobId)
{
    public IReadOnlyList<GoDocker.Jobs.Job> Stored { get; init; } = [];
}
