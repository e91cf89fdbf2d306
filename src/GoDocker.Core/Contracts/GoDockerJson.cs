using System.Text.Json.Serialization;
using GoDocker.Jobs;

namespace GoDocker.Contracts;

/// <summary>
/// Source-generated JSON for every type that crosses the wire or the store, so the NativeAOT CLI
/// and the server serialize the same way without reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(JobSpec))]
[JsonSerializable(typeof(ResolvedJobSpec))]
[JsonSerializable(typeof(StopRequest))]
[JsonSerializable(typeof(GoDocker.Tes.TaskRunLog))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(JobEvent))]
[JsonSerializable(typeof(IReadOnlyList<FileEntry>))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(NodeView))]
[JsonSerializable(typeof(IReadOnlyList<NodeView>))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(NewTokenRequest))]
[JsonSerializable(typeof(IReadOnlyList<GoDocker.Access.TokenInfo>))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(IReadOnlyList<UserView>))]
[JsonSerializable(typeof(UserRequest))]
[JsonSerializable(typeof(ProjectView))]
[JsonSerializable(typeof(IReadOnlyList<ProjectView>))]
[JsonSerializable(typeof(ProjectRequest))]
[JsonSerializable(typeof(ImagesView))]
[JsonSerializable(typeof(IReadOnlyList<GoDocker.Access.VolumeOffer>))]
[JsonSerializable(typeof(PriorityView))]
[JsonSerializable(typeof(AccountLimitsView))]
[JsonSerializable(typeof(IReadOnlyList<AccountLimitsView>))]
[JsonSerializable(typeof(IReadOnlyList<AccountUsageView>))]
[JsonSerializable(typeof(PriorityRequest))]
[JsonSerializable(typeof(ArrayView))]
[JsonSerializable(typeof(IReadOnlyList<JobView>))]
[JsonSerializable(typeof(JobUsageView))]
[JsonSerializable(typeof(AccountingList))]
[JsonSerializable(typeof(AccountingView))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(PurgeRequest))]
[JsonSerializable(typeof(PurgeView))]
[JsonSerializable(typeof(GoDocker.Notifications.JobNotice))]
[JsonSerializable(typeof(NewWebhookRequest))]
[JsonSerializable(typeof(WebhookView))]
[JsonSerializable(typeof(IReadOnlyList<WebhookView>))]
public sealed partial class GoDockerJson : JsonSerializerContext;
