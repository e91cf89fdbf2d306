using GoDocker.Cli.Wait;

namespace GoDocker.Cli.Tests.Wait;

public class PollBackoffTests
{
    [Fact]
    public void Backoff_DoublesFrom100Ms_AndSettlesAtOneSecond()
    {
        var backoff = new PollBackoff();

        var delays = Enumerable.Range(0, 7).Select(_ => (int)backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([100, 200, 400, 800, 1000, 1000, 1000], delays);
    }
}
