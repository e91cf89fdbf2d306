using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Server.UseCases;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>
/// The Idempotency-Key request header of a submit (IETF httpapi draft "The Idempotency-Key HTTP Header Field"):
/// a client that lost the answer sends the same request with the same key and gets the first job, not a second one.
/// </summary>
internal static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>
    /// The spec as parsed, written back for its fingerprint before validation has seen it: a number that parsed
    /// to infinity (cpus 1e400) must reach validation's 400, not fail here.
    /// </summary>
    private static readonly JsonTypeInfo<JobSpec> Fingerprinted =
        (JsonTypeInfo<JobSpec>)new JsonSerializerOptions(GoDockerJson.Default.Options)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }.GetTypeInfo(typeof(JobSpec));

    /// <summary>
    /// The key (null when the header is absent) with the fingerprint of <paramref name="spec"/> as parsed, so that
    /// the same submit written differently (spacing, field order) is the same; a malformed header is a 400 naming it.
    /// </summary>
    public static (IdempotencyKey? Key, IResult? Refused) Read(HttpRequest request, JobSpec spec)
    {
        var values = request.Headers[Name];
        if (values.Count == 0)
        {
            return (null, null);
        }
        // The draft makes the value a structured-field string ("…"); a bare token is what most clients send: both are accepted.
        var text = values.Count == 1 ? values[0] ?? "" : "";
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }
        if (text.Length is 0 or > MaxLength || text.Any(c => c is < '!' or > '~' or '"' or '\\'))
        {
            return (null, Problems.Field(Name,
                $"{Name} must be one value of 1 to {MaxLength} printable ASCII characters without spaces, quotes or backslashes (a UUID, say)"));
        }
        var fingerprint = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec, Fingerprinted)));
        return (new IdempotencyKey(text, fingerprint), null);
    }

    /// <summary>A retry of a stored submit: the first submit's answer again (201, its Location, the job as it is now), marked replayed.</summary>
    public static IResult Replayed(SubmitOutcome.Replayed replayed, HttpContext context)
    {
        context.Response.Headers["Idempotent-Replayed"] = "true";
        var job = replayed.Job;
        return TypedResults.Created(replayed.Array ? $"/api/v1/arrays/{job.Id}" : $"/api/v1/jobs/{job.Id}", JobView.From(job));
    }

    /// <summary>A key used before for another request: 422 naming the header.</summary>
    public static IResult Reused(SubmitOutcome.KeyReused reused)
    {
        var message = reused.Message(Name);
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [Name] = [message] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Idempotency key reused",
            Detail = message,
        });
    }
}
