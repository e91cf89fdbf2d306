using GoDocker.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace GoDocker.Server.Api;

/// <summary>
/// The one place a full disk becomes an answer: any request whose write failed for lack of space (the store's
/// <see cref="StoreFullException"/>, SQLite's SQLITE_FULL from another store, ENOSPC from a file) gets 507 problem
/// details, never a 500. Nothing was written; the same request succeeds once space is freed.
/// </summary>
internal sealed class DiskFullExceptionHandler(IProblemDetailsService problems, ILogger<DiskFullExceptionHandler> logger) : IExceptionHandler
{
    private const int SqliteFull = 13;
    private const int NoSpaceLeftOnDevice = 28; // ENOSPC, as .NET reports it in IOException.HResult on Linux

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDiskFull(exception))
        {
            return false;
        }
        logger.LogError("{Method} {Path}: the disk is full: {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status507InsufficientStorage;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status507InsufficientStorage,
                Title = "Insufficient storage",
                Detail = "the server's disk is full: nothing was recorded; try again once space is freed",
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
