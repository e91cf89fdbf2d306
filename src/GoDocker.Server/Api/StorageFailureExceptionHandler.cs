using GoDocker.Storage;
using GoDocker.Storage.Postgres;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace GoDocker.Server.Api;

/// <summary>
/// The one place a storage failure becomes an answer, never a 500:
/// <list type="bullet">
/// <item>a full disk (the store's <see cref="StoreFullException"/>, SQLite's SQLITE_FULL from another store, ENOSPC from
/// a file): 507; nothing was written, the same request succeeds once space is freed;</item>
/// <item>a database outage (PostgreSQL could not be reached or went away: a restart, a network cut): 503 with
/// Retry-After. Usually nothing of it was committed, but a connection cut after a commit and before its reply looks
/// the same: a submit resent with the same Idempotency-Key is safe either way (the pool reconnects by itself).</item>
/// </list>
/// </summary>
internal sealed class StorageFailureExceptionHandler(IProblemDetailsService problems, ILogger<StorageFailureExceptionHandler> logger) : IExceptionHandler
{
    private const int SqliteFull = 13;
    private const int NoSpaceLeftOnDevice = 28; // ENOSPC, as .NET reports it in IOException.HResult on Linux
    private const int DatabaseRetryAfterSeconds = 5;

    private sealed record Failure(int Status, string Title, string Detail, int? RetryAfterSeconds, LogLevel Level, string Logged);

    private static readonly Failure DiskFull = new(StatusCodes.Status507InsufficientStorage, "Insufficient storage",
        "the server's disk is full: nothing was recorded; try again once space is freed", null, LogLevel.Error, "the disk is full");

    private static readonly Failure DatabaseOutage = new(StatusCodes.Status503ServiceUnavailable, "Database unavailable",
        $"the database does not answer; try again in {DatabaseRetryAfterSeconds} seconds (resend a submit with the same Idempotency-Key)",
        DatabaseRetryAfterSeconds, LogLevel.Warning, "the database is unavailable");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var failure = IsDiskFull(exception) ? DiskFull : PostgresOutage.Is(exception) ? DatabaseOutage : null;
        if (failure is null)
        {
            return false;
        }
        logger.Log(failure.Level, "{Method} {Path}: {Failure}: {Error}", httpContext.Request.Method, httpContext.Request.Path, failure.Logged, exception.Message);
        httpContext.Response.StatusCode = failure.Status;
        if (failure.RetryAfterSeconds is { } seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = failure.Status,
                Title = failure.Title,
                Detail = failure.Detail,
            },
        });
    }

    private static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StoreFullException or SqliteException { SqliteErrorCode: SqliteFull } || e is IOException { HResult: NoSpaceLeftOnDevice })
            {
                return true;
            }
        }
        return false;
    }
}
