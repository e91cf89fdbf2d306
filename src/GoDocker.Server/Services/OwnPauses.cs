using System.Collections.Concurrent;
using GoDocker.Execution;

namespace GoDocker.Server.Services;

/// <summary>
/// The pause or unpause GoDocker itself is making of each container (a suspend or resume): the engine's event of it
/// is not news. Written by the suspend and resume of <see cref="GoDocker.Server.UseCases.JobControl"/>, read by the
/// executor loop's watch of the engine's events (<see cref="ExecutionService"/>).
/// </summary>
public sealed class OwnPauses
{
    private readonly ConcurrentDictionary<string, ContainerAction> expected = new();

    /// <summary>GoDocker is about to make <paramref name="action"/> on the container.</summary>
    public void Expect(string containerId, ContainerAction action) => expected[containerId] = action;

    /// <summary>True (and forgotten) when <paramref name="action"/> was GoDocker's own; false when it came from outside.</summary>
    public bool Claim(string containerId, ContainerAction action) => expected.TryRemove(KeyValuePair.Create(containerId, action));

    /// <summary>The container is gone: nothing more is expected of it.</summary>
    public void Forget(string containerId) => expected.TryRemove(containerId, out _);
}
