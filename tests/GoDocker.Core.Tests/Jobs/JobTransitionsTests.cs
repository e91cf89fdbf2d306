using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class JobTransitionsTests
{
    // The life cycle, written out by hand so the test does not read the table it checks.
    private static readonly Dictionary<JobState, JobState[]> Expected = new()
    {
        [JobState.Pending] = [JobState.Scheduled, JobState.Killed, JobState.Rejected, JobState.Failed],
        [JobState.Scheduled] = [JobState.Running, JobState.Pending, JobState.Failed, JobState.Killed, JobState.Succeeded],
        [JobState.Running] = [JobState.Suspended, JobState.Succeeded, JobState.Failed, JobState.Killed, JobState.Pending],
        [JobState.Suspended] = [JobState.Running, JobState.Killed, JobState.Failed, JobState.Pending],
        [JobState.Succeeded] = [JobState.Archived],
        [JobState.Failed] = [JobState.Archived],
        [JobState.Killed] = [JobState.Archived],
        [JobState.Rejected] = [JobState.Archived],
        [JobState.Archived] = [],
    };

    private static JobState[] AllStates => Enum.GetValues<JobState>();

    public static TheoryData<JobState, JobState, bool> EveryPair()
    {
        var data = new TheoryData<JobState, JobState, bool>();
        foreach (var from in AllStates)
        {
            foreach (var to in AllStates)
            {
                data.Add(from, to, Expected[from].Contains(to));
            }
        }
        return data;
    }

    [Fact]
    public void TheExpectedTable_CoversEveryState()
    {
        Assert.Equal(AllStates.Order(), Expected.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Ensure_PassesExactlyTheAllowedMoves_AndThrowsForEveryOther(JobState from, JobState to, bool allowed)
    {
        Assert.Equal(allowed, JobTransitions.IsAllowed(from, to));
        if (allowed)
        {
            JobTransitions.Ensure(42, from, to);
        }
        else
        {
            var error = Assert.Throws<IllegalTransitionException>(() => JobTransitions.Ensure(42, from, to));
            Assert.Equal(42, error.JobId);
            Assert.Equal(from, error.From);
            Assert.Equal(to, error.To);
            Assert.Equal($"job 42: illegal transition {from} -> {to}", error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(States))]
    public void From_ListsTheAllowedTargets(JobState from)
    {
        Assert.Equal(Expected[from].Order(), JobTransitions.From(from).Order());
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Killed)]
    [InlineData(JobState.Rejected)]
    public void TerminalStates_GoOnlyToArchived(JobState terminal)
    {
        Assert.Equal([JobState.Archived], JobTransitions.From(terminal));
    }

    [Fact]
    public void Archived_GoesNowhere()
    {
        Assert.Empty(JobTransitions.From(JobState.Archived));
        Assert.All(AllStates, to => Assert.Throws<IllegalTransitionException>(() => JobTransitions.Ensure(1, JobState.Archived, to)));
    }

    [Fact]
    public void NoStateMayMoveToItself()
    {
        Assert.All(AllStates, state => Assert.False(JobTransitions.IsAllowed(state, state), $"{state} -> {state}"));
    }

    [Fact]
    public void NothingComesBackFromATerminalState_ExceptToArchive()
    {
        foreach (var from in AllStates.Where(s => s.IsTerminal()))
        {
            Assert.All(JobTransitions.From(from), to => Assert.Equal(JobState.Archived, to));
        }
    }

    public static TheoryData<JobState> States() => new(AllStates);

    [Theory]
    [InlineData(JobState.Pending, false, false)]
    [InlineData(JobState.Scheduled, false, true)]
    [InlineData(JobState.Running, false, true)]
    [InlineData(JobState.Suspended, false, true)]
    [InlineData(JobState.Succeeded, true, false)]
    [InlineData(JobState.Failed, true, false)]
    [InlineData(JobState.Killed, true, false)]
    [InlineData(JobState.Rejected, true, false)]
    [InlineData(JobState.Archived, true, false)]
    public void StateProperties(JobState state, bool terminal, bool holdsResources)
    {
        Assert.Equal(terminal, state.IsTerminal());
        Assert.Equal(holdsResources, state.HoldsResources());
    }

    [Fact]
    public void StatePropertiesTable_CoversEveryState()
    {
        // Guards the InlineData table above: a new state must be classified there.
        Assert.Equal(9, AllStates.Length);
    }
}
