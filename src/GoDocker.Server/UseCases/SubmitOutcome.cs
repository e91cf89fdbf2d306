using GoDocker.Jobs;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// What a submit did (<see cref="JobSubmission"/>): exactly one of the cases below. Each refusal carries the
/// sentence the caller reads; an API maps the case to its own status (REST: 201, 400, 403, 422, 429).
/// </summary>
public abstract record SubmitOutcome
{
    private SubmitOutcome()
    {
    }

    /// <summary>New jobs stored, Pending: one job, or every task of an array (the first task's id is the array's).</summary>
    public sealed record Stored(IReadOnlyList<Job> Jobs, bool Array) : SubmitOutcome
    {
        /// <summary>The job that stands for the submit: the job itself, or the array's first task.</summary>
        public Job First => Jobs[0];
    }

    /// <summary>
    /// The same request was submitted before under the same idempotency key: nothing stored, the first submit's
    /// job (an array's first task) as it is now.
    /// </summary>
    public sealed record Replayed(Job Job) : SubmitOutcome
    {
        public bool Array => Job.ArrayId == Job.Id;
    }

    /// <summary>The idempotency key was used for another request (or its job is gone): nothing stored.</summary>
    public sealed record KeyReused(IdempotencyKey Key, long FirstJobId) : SubmitOutcome
    {
        public string Message(string keyName) =>
            $"{keyName} '{Key.Key}' was used in the last {IdempotencyKey.Lifetime.TotalHours:0} hours for another submit (job {FirstJobId}): use a new key for a new request";
    }

    /// <summary>The spec is invalid: errors keyed by the JSON field they concern.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SubmitOutcome;

    /// <summary>A dependency names a job that does not exist, or that the caller may not see (ids reveal nothing).</summary>
    public sealed record UnknownDependency(long JobId) : SubmitOutcome
    {
        public const string Field = "dependency";
        public string Message => $"job {JobId} does not exist";
    }

    /// <summary>The caller may not have what a field asks for (project, image, root, volumes).</summary>
    public sealed record Forbidden(string Field, string Reason) : SubmitOutcome;

    /// <summary>The submit would take the caller past the server's limit of pending jobs per user.</summary>
    public sealed record TooManyPending(long Pending, int Limit) : SubmitOutcome
    {
        public string Message => $"you have {Pending} pending jobs; the limit is {Limit}: wait for some to start";
    }

    /// <summary>The submit is over a quota checked at submit (pending jobs, or cpu-hours when the site rejects).</summary>
    public sealed record OverQuota(string Reason) : SubmitOutcome;
}
