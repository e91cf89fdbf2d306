namespace GoDocker.Storage;

/// <summary>
/// The ORDER BY of a job list, for both stores: fixed column names for the closed <see cref="JobSort"/> (never caller
/// text), then the id in the same direction (an index on (column, id) serves both ways); a missing time comes last either
/// way (PostgreSQL alone would put it first when descending).
/// </summary>
internal static class JobListOrder
{
    /// <param name="textCollation">
    /// What makes text compare by code point: nothing on SQLite (BINARY already does), <c>COLLATE "C"</c> on PostgreSQL,
    /// whatever the database's own collation.
    /// </param>
    public static string OrderBy(JobSort sort, string textCollation)
    {
        var direction = sort.Descending ? " DESC" : " ASC";
        var text = textCollation.Length == 0 ? "" : " " + textCollation;
        var key = sort.Key switch
        {
            JobSortKey.Id => null,
            JobSortKey.Name => "name" + text + direction,
            JobSortKey.State => "state" + text + direction,
            JobSortKey.Owner => "owner" + text + direction,
            JobSortKey.Project => "project" + text + direction,
            JobSortKey.Submitted => "submitted_at" + direction,
            JobSortKey.Started => "started_at" + direction + " NULLS LAST",
            JobSortKey.Ended => "ended_at" + direction + " NULLS LAST",
            _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, null),
        };
        return key is null ? "id" + direction : key + ", id" + direction;
    }
}
