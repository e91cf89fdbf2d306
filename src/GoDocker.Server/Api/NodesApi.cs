using GoDocker.Contracts;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Services;
using GoDocker.Storage;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/nodes: every signed-in user sees the nodes; only administrators drain and resume them.</summary>
internal static class NodesApi
{
    public static void MapNodes(this IEndpointRouteBuilder api)
    {
        api.MapGet("/nodes", ListAsync)
            .WithName("ListNodes").WithSummary("The nodes: state, capacity, what the jobs there hold, labels")
            .Produces<IReadOnlyList<NodeView>>();
        var admin = api.MapGroup("/nodes/{name}").RequireAuthorization(AuthApi.AdminPolicy);
        admin.MapPost("/drain", DrainAsync)
            .WithName("DrainNode").WithSummary("Place no new jobs on the node (its running jobs go on), until resumed; kept across restarts")
            .Produces<NodeView>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/resume", ResumeAsync)
            .WithName("ResumeNode").WithSummary("Place jobs on a drained node again")
            .Produces<NodeView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(NodeRegistry nodes, IJobStore store, CancellationToken cancellationToken)
    {
        var placed = await PlacedJobsAsync(store, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<NodeView>>([.. nodes.Statuses.OrderBy(s => s.Node.Name, StringComparer.Ordinal).Select(s => View(s, placed))]);
    }

    private static async Task<IResult> DrainAsync(string name, HttpContext context, NodeRegistry nodes, IJobStore store, CancellationToken cancellationToken)
    {
        var by = context.User.Identity?.Name ?? throw new InvalidOperationException("drain reached without a caller");
        return await nodes.DrainAsync(name, by, cancellationToken) is { } status
            ? TypedResults.Ok(View(status, await PlacedJobsAsync(store, cancellationToken)))
            : NoSuchNode(name, nodes);
    }

    private static async Task<IResult> ResumeAsync(
        string name, HttpContext context, NodeRegistry nodes, IJobStore store, SchedulerTrigger scheduler, CancellationToken cancellationToken)
    {
        var by = context.User.Identity?.Name ?? throw new InvalidOperationException("resume reached without a caller");
        if (await nodes.ResumeAsync(name, by, cancellationToken) is not { } status)
        {
            return NoSuchNode(name, nodes);
        }
        // Room came back: waiting jobs may go there now.
        scheduler.PokeNow();
        return TypedResults.Ok(View(status, await PlacedJobsAsync(store, cancellationToken)));
    }

    private static IResult NoSuchNode(string name, NodeRegistry nodes) =>
        Problems.NotFound("No such node", $"node '{name}' does not exist (nodes: {string.Join(", ", nodes.Executors.Select(e => e.NodeName))})");

    /// <summary>Jobs holding resources (scheduled, running, suspended): what they hold per node, and how many there are.</summary>
    private static async Task<Placed> PlacedJobsAsync(IJobStore store, CancellationToken cancellationToken)
    {
        var active = await store.ListActiveAsync(cancellationToken);
        var holding = active.Where(j => j.State.HoldsResources() && j.Node is not null).ToList();
        return new Placed(NodeUsage.Of(holding), holding.CountBy(j => j.Node!).ToDictionary(StringComparer.Ordinal));
    }

    private sealed record Placed(IReadOnlyDictionary<string, Resources> Usage, IReadOnlyDictionary<string, int> Jobs);

    private static NodeView View(NodeStatus status, Placed placed)
    {
        var node = status.Node;
        var used = placed.Usage.GetValueOrDefault(node.Name);
        return new NodeView
        {
            Name = node.Name,
            Executor = status.Executor,
            State = status.State,
            Capacity = new NodeResources(node.Capacity.Cpus, node.Capacity.MemoryBytes, node.Capacity.Gpus),
            Used = new NodeResources(used.Cpus, used.MemoryBytes, used.Gpus),
            Jobs = placed.Jobs.GetValueOrDefault(node.Name),
            Labels = node.Labels,
            DrainedBy = status.Drain?.By,
            DrainedAt = status.Drain?.At,
            Error = status.Error,
            UnreachableSince = status.UnreachableSince,
            DownSince = status.DownSince,
        };
    }
}
