using GoDocker.Contracts;
using GoDocker.Jobs;
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

    /// <summary>Jobs holding resources (scheduled, running, suspended), by node.</summary>
    private static async Task<ILookup<string, Job>> PlacedJobsAsync(IJobStore store, CancellationToken cancellationToken) =>
        (await store.ListActiveAsync(cancellationToken)).Where(j => j.Node is not null).ToLookup(j => j.Node!, StringComparer.Ordinal);

    private static NodeView View(NodeStatus status, ILookup<string, Job> placed)
    {
        var node = status.Node;
        var jobs = placed[node.Name].ToList();
        return new NodeView
        {
            Name = node.Name,
            Executor = status.Executor,
            State = status.State,
            Capacity = new NodeResources(node.Cpus, node.MemoryBytes, node.Gpus),
            Used = new NodeResources(jobs.Sum(j => j.Spec.Cpus), jobs.Sum(j => j.Spec.MemoryBytes), jobs.Sum(j => j.Spec.Gpus)),
            Jobs = jobs.Count,
            Labels = node.Labels,
            DrainedBy = status.Drain?.By,
            DrainedAt = status.Drain?.At,
            Error = status.Error,
        };
    }
}
