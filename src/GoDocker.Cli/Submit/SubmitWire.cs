using System.Buffers;
using System.Text.Json;
using GoDocker.Jobs;

namespace GoDocker.Cli.Submit;

/// <summary>
/// The submit request and its answer, written and read with System.Text.Json's writer and reader directly.
/// `godocker submit` runs once per job in shell loops; the serializer's first use in a fresh process costs
/// more than the whole request, so this one hot path skips it. The wire format is the contract's
/// (GoDockerJson); a test round-trips every field through the source-generated serializer to keep them equal.
/// </summary>
internal static class SubmitWire
{
    public static byte[] Encode(JobSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            String(json, "name", spec.Name);
            String(json, "script", spec.Script);
            Strings(json, "command", spec.Command);
            String(json, "image", spec.Image);
            if (spec.Cpus is { } cpus)
            {
                json.WriteNumber("cpus", cpus);
            }
            String(json, "memory", spec.Memory);
            Map(json, "env", spec.Env);
            String(json, "workdir", spec.Workdir);
            Strings(json, "tags", spec.Tags);
            String(json, "project", spec.Project);
            String(json, "walltime", spec.Walltime);
            Map(json, "labels", spec.Labels);
            Strings(json, "volumes", spec.Volumes);
            if (spec.Root is { } root)
            {
                json.WriteBoolean("root", root);
            }
            if (spec.Gpus is { } gpus)
            {
                json.WriteNumber("gpus", gpus);
            }
            Strings(json, "constraints", spec.Constraints);
            String(json, "array", spec.Array);
            String(json, "dependency", spec.Dependency);
            if (spec.Hold is { } hold)
            {
                json.WriteBoolean("hold", hold);
            }
            if (spec.Requeue is { } requeue)
            {
                json.WriteBoolean("requeue", requeue);
            }
            String(json, "network", spec.Network);
            String(json, "mailType", spec.MailType);
            String(json, "mailUser", spec.MailUser);
            if (spec.Interactive is { } interactive)
            {
                json.WriteBoolean("interactive", interactive);
            }
            String(json, "stdout", spec.Stdout);
            String(json, "stderr", spec.Stderr);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The top-level "id" of a job view (for an array, its first task's: the array's id).</summary>
    /// <exception cref="JsonException">when the answer has none.</exception>
    public static long ReadId(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                return reader.GetInt64();
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth > 0)
            {
                reader.Skip();
            }
        }
        throw new JsonException("the server's answer has no job id");
    }

    private static void String(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void Map(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null)
        {
            return;
        }
        json.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }
}
