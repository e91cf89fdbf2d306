using GoDocker.Contracts;
using GoDocker.Server.Services;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/health: is the server up, and can it reach its nodes.</summary>
internal static class HealthApi
{
    public static readonly string Version =
        typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static void MapHealth(this IEndpointRouteBuilder api)
    {
        api.MapGet("/health", (NodeRegistry nodes) =>
            {
                var statuses = nodes.Statuses;
                var view = new HealthView(
                    statuses.Count > 0 && statuses.All(s => s.Node.Schedulable) ? "ok" : "degraded",
                    Version,
                    [.. statuses.Select(s => new NodeHealth(
                        s.Node.Name,
                        s.Executor,
                        s.Error is not null ? "unreachable" : s.Recovered ? "up" : "recovering",
                        s.Node.Cpus,
                        s.Node.MemoryBytes,
                        s.Error))]);
                return TypedResults.Ok(view);
            })
            .WithName("Health").WithSummary("Server and node health")
            .Produces<HealthView>()
            .AllowAnonymous();
    }
}
