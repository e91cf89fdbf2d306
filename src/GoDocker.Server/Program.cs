using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Executors.Docker;
using GoDocker.Executors.Swarm;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Server.Api;
using GoDocker.Server.Api.Compat10;
using GoDocker.Server.Api.Tes;
using GoDocker.Server.Auth;
using GoDocker.Server.Auth.Ldap;
using GoDocker.Server.Configuration;
using GoDocker.Server.Hosting;
using GoDocker.Server.Monitoring;
using GoDocker.Server.Notifications;
using GoDocker.Server.RequestGuards;
using GoDocker.Server.Services;
using GoDocker.Server.UseCases;
using GoDocker.Server.Web;
using GoDocker.Storage;
using GoDocker.Storage.Dispatch;
using GoDocker.Storage.JobDirectories;
using GoDocker.Storage.Leases;
using GoDocker.Storage.Logins;
using GoDocker.Storage.Postgres;
using GoDocker.Storage.Wakeups;
using GoDocker.Usage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

// The embedded server: API, store, scheduler, dispatch and executor in one process.
// Data flow: API → store → scheduler → dispatch → executor → engine → status back to the store.

if (ServerCommandLine.Answer(args, Console.Out, Console.Error) is { } exitCode)
{
    Environment.ExitCode = exitCode;
    return;
}
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
ServerConfiguration.Load(builder.Configuration, args);
// Every setting is checked before anything uses one; the server refuses to start naming each bad key.
var configuration = ConfigurationCheck.Run(builder.Configuration);
if (configuration.Problems.Count > 0)
{
    await Console.Error.WriteLineAsync("godocker-server: the configuration is invalid:\n  " + string.Join("\n  ", configuration.Problems));
    Environment.ExitCode = 2;
    return;
}
var settings = configuration.Settings;
builder.Services.AddSingleton(Options.Create(settings));
builder.WebHost.UseUrls(settings.Server.Listen);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.Server.MaxRequestBodyBytes);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
});

// Locked and owner-only before anything touches the store or the engine.
using var dataDirectory = DataDirectory.Claim(settings.Server.DataDir, Console.Error);
if (dataDirectory is null)
{
    Environment.ExitCode = 1;
    return;
}
var time = TimeProvider.System;
// SQLite in DataDir or PostgreSQL (Store:Provider): jobs, accounts, node drains, and the instance id labelling our containers.
var stores = await StoreFactory.OpenAsync(settings, time, Console.Error, CancellationToken.None);
if (stores is null)
{
    Environment.ExitCode = 1;
    return;
}
var store = stores.Jobs;
var instanceId = stores.InstanceId;

builder.Services.AddSingleton(time);
// Prometheus instruments (GET /metrics, docs/monitoring.md); every store operation is timed on its way through.
var metrics = new ServerMetrics(HealthApi.Version);
builder.Services.AddSingleton(metrics);
builder.Services.AddSingleton(new ScrapeToken(settings.Metrics.TokenSha256));
builder.Services.AddSingleton<ClusterGauges>();
builder.Services.AddSingleton<IJobStore>(new TimedJobStore(store, metrics, time));
var jobDirectories = new JobDirectory(string.IsNullOrEmpty(settings.Server.JobsDir) ? Path.Combine(settings.Server.DataDir, "jobs") : settings.Server.JobsDir)
{
    // god.log/god.err, read by Galaxy's godocker runner (docs/notes/godocker10-design.md §2.2).
    LegacyOutputNames = settings.Compat.GoDocker10.Enabled,
};
builder.Services.AddSingleton(jobDirectories);
builder.Services.AddSingleton(new FreeSpaceFloor(jobDirectories, settings.Server.MinFreeSpace));
builder.Services.AddSingleton<IDispatchQueue>(sp => new InProcessDispatchQueue(time, settings.Executor.LeaseTimeout));
builder.Services.AddSingleton(Plugins.QueueOrder(settings.Scheduler));
builder.Services.AddSingleton(sp => new SchedulingCycle(
    sp.GetRequiredService<IQueueOrder>(),
    SchedulingCycle.StandardAdmissions,
    SchedulingCycle.StandardFilters,
    Plugins.Placement(settings.Scheduler.Placement),
    new CycleOptions
    {
        Backfill = settings.Scheduler.Backfill,
        Reservations = settings.Scheduler.Reservations,
        DefaultWalltime = settings.Scheduler.DefaultWalltime,
    }));
// One executor, with its own engine client, per node (Nodes, else the one engine of Executor:Docker); checked now.
var nodeOptions = NodesConfiguration.Resolve(settings, instanceId);
var nodeStates = stores.NodeStates;
var drains = await nodeStates.ListDrainsAsync(CancellationToken.None);
builder.Services.AddSingleton<INodeStateStore>(nodeStates);
builder.Services.AddSingleton<IUsageStore>(stores.Usage);
// Swarm: the manager is Executor:Docker's endpoint, the nodes are the swarm's, read now.
var swarm = settings.Executor.Type == ExecutorType.Swarm ? await SwarmCluster.ConnectAsync(nodeOptions[0], CancellationToken.None) : null;
builder.Services.AddSingleton(sp => new NodeRegistry(
    swarm is not null
        ? [.. swarm.Executors(nodeOptions[0], time, sp.GetRequiredService<ILogger<SwarmExecutor>>())]
        : [.. nodeOptions.Select(o => new DockerExecutor(o, time, sp.GetRequiredService<ILogger<DockerExecutor>>()))],
    nodeStates,
    drains,
    settings.Executor.NodeDownAfter,
    time,
    sp.GetRequiredService<ILogger<NodeRegistry>>()));
builder.Services.AddSingleton(sp => new SchedulerTrigger(sp.GetRequiredService<IWakeups>(), time, settings.Scheduler.MinGap));
builder.Services.AddSingleton<SchedulerBoard>();
builder.Services.AddSingleton<AccountLimitsCache>();
var auth = configuration.Auth;
var accounts = stores.Accounts;
builder.Services.AddSingleton(auth);
builder.Services.AddSingleton<IAccountStore>(accounts);
builder.Services.AddSingleton<IAccessPolicy>(new AccessPolicy
{
    ManagersControlProjectJobs = settings.Access.ManagersControlProjectJobs,
    AllowedImages = [.. settings.Images.Allowed, ImageReference.Normalize(settings.Jobs.DefaultImage)],
    AnyImage = settings.Images.AnyImage.ToGrant(),
    Root = settings.Jobs.Root.Granted.ToGrant(),
});
builder.Services.AddSingleton<CallerResolver>();
builder.Services.AddSingleton(new ServerAuthorities(settings.Server));
builder.Services.AddSingleton<JobAccess>();
builder.Services.AddSingleton<LaunchAuthorization>();
builder.Services.AddSingleton<PendingCounts>();
builder.Services.AddSingleton<LoginThrottle>();
builder.Services.AddSingleton<PasswordLogin>();
builder.Services.AddSingleton<LiveCredentials>();
Plugins.AddAuthProvider(builder.Services, auth, builder.Configuration.GetSection("Auth:Ldap"));
builder.Services.AddAuthentication(GoDockerAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, GoDockerAuthenticationHandler>(GoDockerAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    // Every endpoint needs an authenticated caller unless it says otherwise (health, the OpenAPI document, login).
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
    .AddPolicy(AuthApi.AdminPolicy, p => p.RequireClaim(GoDockerAuthenticationHandler.AdminClaim, "true"));
builder.Services.AddSingleton<StopRequests>();
builder.Services.AddSingleton<OwnPauses>();
// The leader's work (schedule, launch and watch, recover, watchers) runs while this server holds the lease:
// always in embedded mode (one server, one SQLite file); the one server of several that holds it in the database.
// On PostgreSQL the lease, the wake-ups and the list of servers are the database's, shared by every server on it.
var serverId = ServerIdentity.New(settings.Server.Listen);
if (stores.Database is { } database)
{
    builder.Services.AddSingleton<ILeaderLease>(await PostgresLeaderLease.OpenAsync(database, "scheduler", serverId, settings.Cluster.LeaseTime, CancellationToken.None));
    builder.Services.AddSingleton<IServerRegistry>(await PostgresServerRegistry.OpenAsync(database, CancellationToken.None));
    builder.Services.AddSingleton<ILoginAttempts>(await PostgresLoginAttempts.OpenAsync(database, CancellationToken.None));
    // Started when first needed, listening before it returns (startup has no synchronization context to block).
    builder.Services.AddSingleton<IWakeups>(sp =>
        PostgresWakeups.StartAsync(database, time, sp.GetRequiredService<ILogger<PostgresWakeups>>(), CancellationToken.None).GetAwaiter().GetResult());
}
else
{
    builder.Services.AddSingleton<ILeaderLease>(new InProcessLeaderLease("scheduler", serverId));
    builder.Services.AddSingleton<IServerRegistry>(new InProcessServerRegistry(time));
    builder.Services.AddSingleton<ILoginAttempts>(new InProcessLoginAttempts());
    builder.Services.AddSingleton<IWakeups>(new InProcessWakeups());
}
builder.Services.AddSingleton<SchedulerService>();
// Live usage of running jobs, sampled by the leader; what accounting reads at an attempt's end.
builder.Services.AddSingleton<UsageSampler>();
builder.Services.AddSingleton<IAttemptUsage>(sp => sp.GetRequiredService<UsageSampler>());
builder.Services.AddSingleton<ILeaderWork>(sp => sp.GetRequiredService<UsageSampler>());
builder.Services.AddSingleton<AttemptEnds>();
builder.Services.AddSingleton<ExecutionService>();
builder.Services.AddSingleton<ILeaderWork>(sp => sp.GetRequiredService<ExecutionService>());
builder.Services.AddSingleton<ILeaderWork>(sp => sp.GetRequiredService<SchedulerService>());
builder.Services.AddSingleton<ILeaderWork, WalltimeWatcher>();
builder.Services.AddSingleton<ILeaderWork, JobDirectoryWatcher>();
builder.Services.AddSingleton<ILeaderWork, JobDirectoryRetentionService>();
builder.Services.AddSingleton(stores.Notifications);
builder.Services.AddSingleton(new WebhookUrlPolicy(settings.Notifications.UserWebhookUrlPrefixes));
builder.Services.AddSingleton(new WebhookKeys(settings.Notifications, stores.StoredWebhookSecret));
builder.Services.AddSingleton<IJobMailer>(new SmtpMailer(settings.Notifications.Smtp));
builder.Services.AddSingleton(sp => new WebhookPoster(WebhookPoster.NewClient(), time));
builder.Services.AddSingleton<ILeaderWork, NotificationSender>();
builder.Services.AddSingleton<UserWebhooks>();
builder.Services.AddSingleton<LeaderElection>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
builder.Services.AddHostedService(sp => new ServerHeartbeat(sp.GetRequiredService<IServerRegistry>(), sp.GetRequiredService<LeaderElection>(),
    settings.Server.Listen, time, sp.GetRequiredService<ILogger<ServerHeartbeat>>()));
// Use cases: what the API (and later the web UI and standard APIs) call; handlers only translate HTTP.
builder.Services.AddSingleton<JobSubmission>();
builder.Services.AddSingleton<TaskSubmission>();
builder.Services.AddSingleton<JobControl>();
builder.Services.AddSingleton<JobExec>();
builder.Services.AddSingleton<UsageReport>();
builder.Services.AddSingleton<AccountingHistory>();
builder.Services.AddSingleton<JobStanding>();
builder.Services.AddSingleton<JobUsageReport>();
builder.Services.AddSingleton<JobPurge>();
builder.Services.AddSingleton<KeptDirectoryTotals>();
builder.Services.AddHostedService<NodeRefreshService>();

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<StorageFailureExceptionHandler>();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, GoDockerJson.Default);
    o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
});
builder.Services.AddOpenApi("v1");

var app = builder.Build();
app.UseMiddleware<RequestDurations>();
app.UseMiddleware<ApiResponseHeaders>();
app.UseExceptionHandler();
app.UseStatusCodePages();
// Before the guard, which refuses a WebSocket upgrade from another origin (cross-site WebSocket hijacking).
app.UseWebSockets();
app.UseMiddleware<BrowserRequestGuard>();
// The web interface (web/dist): anyone may load the app; everything it then asks for is the API's, authenticated.
app.UseMiddleware<WebInterface>();
app.UseAuthentication();
app.UseMiddleware<CsrfGuard>();
app.UseAuthorization();

app.MapOpenApi("/api/{documentName}/openapi.json").AllowAnonymous();
app.MapMetrics();
var api = app.MapGroup("/api/v1");
api.MapAuth();
api.MapAdministration();
api.MapJobs();
api.MapJobExec();
api.MapJobsLive();
api.MapJobUsage();
api.MapScheduling();
api.MapAccounting();
api.MapJobOutput();
api.MapJobFiles();
api.MapPurge();
api.MapHealth();
api.MapNodes();
api.MapImages();
api.MapVolumes();
api.MapWebhooks();
app.MapTes();
if (settings.Compat.GoDocker10.Enabled)
{
    app.MapCompat10();
}

await Bootstrap.AdminAsync(auth, accounts, app.Logger, CancellationToken.None);
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("GoDocker {Version} listening on {Url}, data in {DataDir}, instance {Instance}",
        HealthApi.Version, settings.Server.Listen, settings.Server.DataDir, instanceId));
await app.RunAsync();
await stores.DisposeAsync();

/// <summary>Plugins chosen by name in configuration.</summary>
internal static class Plugins
{
    public static IQueueOrder QueueOrder(SchedulerOptions scheduler) => scheduler.Policy switch
    {
        QueuePolicy.FairShare => new FairShareOrder(scheduler.FairShare.ToOptions()),
        _ => new FifoOrder(),
    };

    public static IPlacementScorer Placement(PlacementPolicy placement) => placement switch
    {
        PlacementPolicy.Pack => new PackScorer(),
        _ => new SpreadScorer(),
    };

    /// <summary>Registers the IAuthProvider named by Auth:Provider (none registers nothing: no logins).</summary>
    public static void AddAuthProvider(IServiceCollection services, AuthOptions auth, IConfigurationSection ldapSection)
    {
        switch (auth.Provider)
        {
            case AuthOptions.NoAuthentication:
                break;
            case LocalAuthProvider.ProviderName:
                services.AddSingleton<IAuthProvider>(sp => new LocalAuthProvider(sp.GetRequiredService<IAccountStore>()));
                break;
            case "ldap":
                var options = ldapSection.Get<LdapOptions>() ?? new LdapOptions();
                if (options.Problems() is { Count: > 0 } problems)
                {
                    throw new OptionsValidationException("Auth:Ldap", typeof(LdapOptions), problems);
                }
                services.AddSingleton<IAuthProvider>(sp => new LdapAuthProvider(options, sp.GetRequiredService<ILogger<LdapAuthProvider>>()));
                break;
            default:
                throw new OptionsValidationException("Auth:Provider", typeof(AuthOptions), [$"unknown authentication provider '{auth.Provider}' (known: none, local, ldap)"]);
        }
    }
}
