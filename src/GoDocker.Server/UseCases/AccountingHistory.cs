using GoDocker.Access;
using GoDocker.Storage;

namespace GoDocker.Server.UseCases;

/// <summary>
/// The accounting records of ended attempts (Slurm's sacct), as far as the caller may see their jobs: their own and those
/// of the projects they manage (as GET /jobs lists them); administrators see everyone's. A record of a job the caller may
/// not see is not in the answer, whatever the filters ask for.
/// </summary>
public sealed class AccountingHistory(IJobStore store)
{
    public const int MaxPageSize = 1000;

    /// <summary>The records matching <paramref name="query"/> that <paramref name="caller"/> may see, a page of them and their total.</summary>
    public async Task<AccountingPage> ListAsync(Caller caller, AccountingQuery query, CancellationToken cancellationToken) =>
        await store.ListAccountingAsync(query with
        {
            VisibleTo = caller.Admin ? null : new JobVisibility(caller.Login, [.. caller.ManagedProjects]),
        }, cancellationToken);
}
