using GoDocker.Scheduling;

namespace GoDocker.Server.Services;

/// <summary>
/// The last cycle's ranking of pending jobs, for `godocker priority` (as sprio reads slurmctld's): each job's
/// position, priority and factors. Written by the scheduler once per cycle, read by the API.
/// </summary>
public sealed class SchedulerBoard
{
    private volatile Board current = new([], new Dictionary<long, int>(), "", DateTimeOffset.MinValue, 0);

    /// <summary>Bumped by every published cycle.</summary>
    public long Cycles => current.Cycle;

    public void Publish(IReadOnlyList<RankedJob> ranking, string policy, DateTimeOffset at)
    {
        var positions = new Dictionary<long, int>(ranking.Count);
        for (var i = 0; i < ranking.Count; i++)
        {
            positions[ranking[i].Job.Id] = i;
        }
        current = new Board(ranking, positions, policy, at, current.Cycle + 1);
    }

    /// <summary>The job's ranking in the last cycle, its 0-based position, how many were pending, the policy; null if it was not ranked.</summary>
    public (RankedJob Ranked, int Position, int Pending, string Policy, DateTimeOffset At)? Find(long jobId)
    {
        var board = current;
        return board.Positions.TryGetValue(jobId, out var position)
            ? (board.Ranking[position], position, board.Ranking.Count, board.Policy, board.At)
            : null;
    }

    private sealed record Board(IReadOnlyList<RankedJob> Ranking, IReadOnlyDictionary<long, int> Positions, string Policy, DateTimeOffset At, long Cycle);
}
