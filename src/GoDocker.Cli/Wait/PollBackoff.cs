namespace GoDocker.Cli.Wait;

/// <summary>Poll intervals that start quick for short jobs and settle at once a second: 100, 200, 400, 800, 1000, 1000... ms.</summary>
internal sealed class PollBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    private TimeSpan next = First;

    public TimeSpan Next()
    {
        var current = next;
        next = next * 2 < Max ? next * 2 : Max;
        return current;
    }
}
