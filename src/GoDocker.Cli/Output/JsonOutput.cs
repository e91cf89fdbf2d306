using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GoDocker.Cli.Output;

/// <summary>`-o json`: the API's own shape, indented, on stdout; non-ASCII stays readable (the output is for people and jq, not HTML).</summary>
internal static class JsonOutput
{
    public static async Task WriteAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, value, type);
        }
        buffer.WriteByte((byte)'\n');
        await using var stdout = Console.OpenStandardOutput();
        await stdout.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }
}
