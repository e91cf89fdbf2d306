using GoDocker.Storage.Postgres;
using Microsoft.AspNetCore.Diagnostics;

namespace GoDocker.Server.Api;

/// <summary>
/// The one place a database outage becomes an answer: a request that failed because PostgreSQL could not be reached
/// or went away (a restart, a network cut) gets 503 problem details with Retry-After, never a 500. Usually nothing of it
/// was committed, but a connection cut after a commit and before its reply looks the same: a submit resent with the same
/// Idempotency-Key is safe either way (the pool opens new connections by itself once the database is back).
/// </summary>
internal sealed class DatabaseOutageExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseOutageExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!PostgresOutage.Is(exception))
        {
            return false;
        }
        logger.LogWarning("{Method} {Path}: the database is unavailable: {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = $"the database does not answer; try again in {RetryAfterSeconds} seconds (resend a submit with the same Idempotency-Key)",
            },
        });
    }
}
