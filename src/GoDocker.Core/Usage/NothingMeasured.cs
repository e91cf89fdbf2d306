namespace GoDocker.Usage;

/// <summary>The attempt usage where nothing samples containers: every attempt ends with nothing measured.</summary>
public sealed class NothingMeasured : IAttemptUsage
{
    public static readonly NothingMeasured Instance = new();

    public ValueTask<MeasuredUsage?> MeasuredAsync(long jobId, int attempt, CancellationToken cancellationToken) => ValueTask.FromResult<MeasuredUsage?>(null);
}
