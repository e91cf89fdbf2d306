using System.Text.Json.Serialization;
using GoDocker.Tes;

namespace GoDocker.Contracts.Tes;

// The GA4GH Task Execution Service 1.1 documents (../shared/specs/tes-1.1.openapi.yaml), as the wire spells them
// (snake_case through TesJson). Read-only members a client echoes in a create (id, state, logs, creation_time) are read
// and ignored; members this server does not know are ignored too, as the specification lets newer clients send them.

/// <summary>tesTask: the request of a create, and the answer of a get (its view decides which members are filled).</summary>
public sealed record TesTask
{
    public string? Id { get; init; }
    public TesState? State { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<TesInput>? Inputs { get; init; }
    public IReadOnlyList<TesOutput>? Outputs { get; init; }
    public TesResources? Resources { get; init; }
    public IReadOnlyList<TesExecutor>? Executors { get; init; }
    public IReadOnlyList<string>? Volumes { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public IReadOnlyList<TesTaskLog>? Logs { get; init; }
    public string? CreationTime { get; init; }
}

public sealed record TesInput
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public string? Path { get; init; }
    public string? Type { get; init; }
    public string? Content { get; init; }
    public bool? Streamable { get; init; }
}

public sealed record TesOutput
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public string? Path { get; init; }
    public string? PathPrefix { get; init; }
    public string? Type { get; init; }
}

public sealed record TesResources
{
    public long? CpuCores { get; init; }
    public bool? Preemptible { get; init; }
    public double? RamGb { get; init; }
    public double? DiskGb { get; init; }
    public IReadOnlyList<string>? Zones { get; init; }
    public IReadOnlyDictionary<string, string>? BackendParameters { get; init; }
    public bool? BackendParametersStrict { get; init; }
}

public sealed record TesExecutor
{
    public string? Image { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public string? Workdir { get; init; }
    public string? Stdin { get; init; }
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public bool? IgnoreError { get; init; }
}

public sealed record TesTaskLog
{
    public required IReadOnlyList<TesExecutorLog> Logs { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public required IReadOnlyList<TesOutputFileLog> Outputs { get; init; }
    public IReadOnlyList<string>? SystemLogs { get; init; }
}

public sealed record TesExecutorLog
{
    public string? StartTime { get; init; }
    public string? EndTime { get; init; }
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }
    public required int ExitCode { get; init; }
}

/// <summary>tesOutputFileLog: <see cref="SizeBytes"/> is an int64 written as a string, as the specification has it.</summary>
public sealed record TesOutputFileLog(string Url, string Path, string SizeBytes);

public sealed record TesCreateTaskResponse(string Id);

public sealed record TesListTasksResponse(IReadOnlyList<TesTask> Tasks)
{
    public string? NextPageToken { get; init; }
}

/// <summary>The empty object a cancel answers.</summary>
public sealed record TesCancelTaskResponse;

/// <summary>
/// GA4GH service-info 1.0 with TES's members. Service-info's own members are camelCase on the wire (contactUrl,
/// documentationUrl, createdAt), TES's are not (tesResources_backend_parameters): each is named as its schema spells it.
/// </summary>
public sealed record TesServiceInfo
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("type")] public required TesServiceType Type { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("organization")] public required TesOrganization Organization { get; init; }
    [JsonPropertyName("contactUrl")] public string? ContactUrl { get; init; }
    [JsonPropertyName("documentationUrl")] public string? DocumentationUrl { get; init; }
    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("storage")] public IReadOnlyList<string> Storage { get; init; } = [];
    [JsonPropertyName("tesResources_backend_parameters")] public IReadOnlyList<string> BackendParameters { get; init; } = [];
}

public sealed record TesServiceType(
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("artifact")] string Artifact,
    [property: JsonPropertyName("version")] string Version);

public sealed record TesOrganization(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url);

/// <summary>
/// TES bodies: snake_case, nulls left out, enums as the specification spells them; unknown members ignored. Apart
/// from <see cref="GoDockerJson"/> (camelCase), so the REST API's options never touch a TES document.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(TesTask))]
[JsonSerializable(typeof(TesCreateTaskResponse))]
[JsonSerializable(typeof(TesListTasksResponse))]
[JsonSerializable(typeof(TesCancelTaskResponse))]
[JsonSerializable(typeof(TesServiceInfo))]
public sealed partial class TesJson : JsonSerializerContext;
