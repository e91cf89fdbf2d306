using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Server.Services;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/health: is the server up, and can it reach its nodes.</summary>
internal static class HealthApi
{
    public static readonly string Version =
        typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static void MapImages(this IEndpointRouteBuilder api)
    {
        api.MapGet("/images", async (HttpContext context, CallerResolver callers, IAccessPolicy policy,
                Microsoft.Extensions.Options.IOptions<GoDocker.Server.Configuration.GoDockerOptions> options, CancellationToken ct) =>
            {
                var caller = await callers.ResolveAsync(context, ct);
                var settings = options.Value;
                return TypedResults.Ok(new ImagesView(
                    GoDocker.Jobs.ImageReference.Normalize(settings.Jobs.DefaultImage),
                    settings.Images.Allowed,
                    policy.RefuseImage(caller, "any/image-of-yours:latest") is null,
                    policy.RefuseRoot(caller) is null));
            })
            .WithName("ListImages").WithSummary("The default image, the allowed patterns, and what the caller may do beyond them")
            .Produces<ImagesView>();
    }

    public static void MapVolumes(this IEndpointRouteBuilder api)
    {
        api.MapGet("/volumes", async (HttpContext context, CallerResolver callers,
                Microsoft.Extensions.Options.IOptions<GoDocker.Server.Configuration.GoDockerOptions> options, CancellationToken ct) =>
            {
                var caller = await callers.ResolveAsync(context, ct);
                // The host paths stay the site's: a user learns a volume's name, where it appears and its mode.
                return TypedResults.Ok(GoDocker.Access.VolumePolicy.Offered([.. options.Value.Volumes.Select(v => v.ToRule())], caller));
            })
            .WithName("ListVolumes").WithSummary("The site volumes the caller may ask for by name (submit's volumes), and through which projects")
            .Produces<IReadOnlyList<GoDocker.Access.VolumeOffer>>();
    }

    public static void MapHealth(this IEndpointRouteBuilder api)
    {
        api.MapGet("/health", async (NodeRegistry nodes, FreeSpaceFloor freeSpace, GoDocker.Storage.IJobStore store, LeaderElection election,
                GoDocker.Storage.IServerRegistry registry, GoDocker.Storage.ILeaderLease lease, ILoggerFactory loggers, CancellationToken ct) =>
            {
                // Recovery is the leader's: on another server a node it reaches is simply up.
                var leading = election.Current is not null;
                var statuses = leading ? nodes.Statuses : [.. nodes.Statuses.Select(s => s with { Recovered = true })];
                GoDocker.Storage.Leadership? leader = null;
                IReadOnlyList<GoDocker.Storage.RegisteredServer> servers = [];
                string? database = null;
                try
                {
                    leader = await lease.CurrentAsync(ct);
                    servers = await registry.ListAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is away: the rest of the answer still says what this server knows. The error (it
                    // names the database's host and port) goes to the log only: this answer is anonymous.
                    loggers.CreateLogger("GoDocker.Server.Api.Health").LogWarning("health: the database does not answer: {Error}", e.Message);
                    database = "the database does not answer";
                }
                var shortage = freeSpace.Shortage();
                var fault = store.WriteFault;
                // A drained node is an administrator's choice, not a fault: the server is ok while every node answers,
                // the store can write and the job directories have room.
                var view = new HealthView(
                    fault is null && database is null && shortage is null && statuses.Count > 0 && statuses.All(s => s.Healthy) ? "ok" : "degraded",
                    Version,
                    [.. statuses.Select(s => new NodeHealth(
                        s.Node.Name,
                        s.Executor,
                        s.State,
                        s.Node.Capacity.Cpus,
                        s.Node.Capacity.MemoryBytes,
                        s.Error) { DownSince = s.DownSince })])
                {
                    Reason = fault ?? database ?? (shortage is null ? null : $"no job launches: {shortage}"),
                    Leader = leader?.Holder,
                    Servers = [.. servers.Select(r => new ServerHealth(r.Id, r.Address, r.StartedAt, r.LastSeen, r.Id == leader?.Holder, r.Id == election.ServerId))],
                };
                return TypedResults.Ok(view);
            })
            .WithName("Health").WithSummary("Server and node health")
            .Produces<HealthView>()
            .AllowAnonymous();
    }
}
