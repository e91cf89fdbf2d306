namespace GoDocker.Storage;

/// <summary>
/// The store could not write because its disk is full (SQLite's SQLITE_FULL). Nothing was written; the same write
/// succeeds once space is freed. The API answers 507; the executor keeps retrying a job's end until it is recorded.
/// </summary>
public sealed class StoreFullException(string message, Exception inner) : IOException(message, inner);
