using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ArraySpecTests
{
    [Fact]
    public void ARangeWithStepAndLimit()
    {
        Assert.True(ArraySpec.TryParse("1-100:2%10", out var spec, out var error));

        Assert.Null(error);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => 1 + 2 * i), spec.TaskIds);
        Assert.Equal((1, 99, 2, 10), (spec.First, spec.Last, spec.Step, spec.MaxRunning));
    }

    [Fact]
    public void AListOfIdsAndRanges()
    {
        Assert.True(ArraySpec.TryParse("1,3,5-7", out var spec, out _));

        Assert.Equal([1, 3, 5, 6, 7], spec.TaskIds);
        Assert.Null(spec.MaxRunning);
        Assert.Equal(1, spec.Step); // not one arithmetic range
    }

    [Fact]
    public void ARangeFromZero_WithALimit()
    {
        Assert.True(ArraySpec.TryParse("0-15%4", out var spec, out _));

        Assert.Equal(Enumerable.Range(0, 16), spec.TaskIds);
        Assert.Equal((0, 15, 1, 4), (spec.First, spec.Last, spec.Step, spec.MaxRunning));
    }

    public static TheoryData<string, int[], int> Others() => new()
    {
        { "7", [7], 1 },
        { "1-10:3", [1, 4, 7, 10], 3 },
        { "1-11:3", [1, 4, 7, 10], 3 },           // the end need not be on the step
        { "5,1,3", [1, 3, 5], 2 },                // sorted; one arithmetic range after all
        { "1,1,2-3,2", [1, 2, 3], 1 },            // duplicates once
        { " 1-3 , 5 ", [1, 2, 3, 5], 1 },
        { "0", [0], 1 },
    };

    [Theory]
    [MemberData(nameof(Others))]
    public void TaskIds_AreSortedAndDistinct(string text, int[] ids, int step)
    {
        Assert.True(ArraySpec.TryParse(text, out var spec, out var error), error);

        Assert.Equal(ids, spec.TaskIds);
        Assert.Equal(step, spec.Step);
    }

    [Fact]
    public void AtMostMaxTasks()
    {
        Assert.True(ArraySpec.TryParse("0-9999", out var spec, out _));
        Assert.Equal(ArraySpec.MaxTasks, spec.TaskIds.Count);

        Assert.False(ArraySpec.TryParse("0-10000", out _, out var error));
        Assert.Equal("more than 10000 tasks", error);
        Assert.False(ArraySpec.TryParse("0-5000,6000-11000", out _, out error));
        Assert.Equal("more than 10000 tasks", error);
        Assert.False(ArraySpec.TryParse("0-2000000000", out _, out error));
        Assert.Equal("'0-2000000000': more than 10000 tasks", error);
    }

    public static TheoryData<string, string> Errors() => new()
    {
        { "", "'' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "%4", "'' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "a", "'a' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "-1", "'-1' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "1-", "'1-' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "1,,2", "'' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "+1", "'+1' is not N, N-M or N-M:STEP with non-negative numbers" },
        { "5-1", "'5-1': the range ends before it starts" },
        { "1-10:0", "'1-10:0': the step after ':' must be a positive number" },
        { "1-10:-1", "'1-10:-1': the step after ':' must be a positive number" },
        { "1-10:", "'1-10:': the step after ':' must be a positive number" },
        { "1-10%0", "'0' after % is not a positive number of tasks" },
        { "1-10%", "'' after % is not a positive number of tasks" },
        { "1-10%x", "'x' after % is not a positive number of tasks" },
        { "1-10%-2", "'-2' after % is not a positive number of tasks" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void TryParse_RefusesMalformedSpecs_SayingWhy(string text, string expected)
    {
        Assert.False(ArraySpec.TryParse(text, out _, out var error));

        Assert.Equal(expected, error);
    }

    // With end = int.MaxValue, `i += step` wraps to a negative number, which is still <= end: the loop never ends and
    // the SortedSet grew until the process ran out of memory (found by this test; fixed with a long counter).
    [Fact]
    public async Task ARangeEndingAtIntMaxValue_Terminates()
    {
        var parse = Task.Run(() => ArraySpec.TryParse("2147483600-2147483647:100", out var spec, out _) ? spec.TaskIds : null);

        var ids = await parse.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal([2147483600], ids);
        Assert.True(ArraySpec.TryParse("2147483647", out var last, out _));
        Assert.Equal([int.MaxValue], last.TaskIds);
    }
}
