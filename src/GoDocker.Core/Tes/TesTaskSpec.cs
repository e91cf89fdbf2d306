using GoDocker.Contracts.Tes;

namespace GoDocker.Tes;

/// <summary>
/// A TES task as its job keeps it: the request as read (<see cref="Task"/>: no id, state or logs, only the backend
/// parameters this server supports), what was ignored (<see cref="Warnings"/>, shown in the FULL view's system_logs),
/// and the directories its files need (<see cref="Scratch"/>). The task's id is its job's.
/// </summary>
public sealed record TesTaskSpec
{
    /// <summary>The tag every TES task's job carries, and no other job can (':' is refused in a REST submit's tags).</summary>
    public const string Tag = "tes:task";

    public required TesTask Task { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public IReadOnlyList<string> Scratch { get; init; } = [];
}
