using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace GoDocker.Server.Api;

/// <summary>Reads a request's JSON body: malformed (or cut short) is a 400 naming the field, oversized a 413 naming the limit.</summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Refused)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, type, cancellationToken);
            return value is null ? (null, Problems.Field("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Field(FieldOf(e), $"invalid JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge(context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0));
        }
        catch (BadHttpRequestException e)
        {
            // The body ended before its Content-Length, or its chunks were malformed: the client's fault, not a 500.
            return (null, Problems.Field("body", $"the request body is incomplete or malformed: {e.Message}"));
        }
    }

    /// <summary>The JSON field an error concerns: "cpus" for $.cpus, the unknown property's name for an unmapped member.</summary>
    internal static string FieldOf(JsonException e)
    {
        const string unmapped = "The JSON property '";
        var start = e.Message.IndexOf(unmapped, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += unmapped.Length;
            var end = e.Message.IndexOf('\'', start);
            if (end > start)
            {
                return e.Message[start..end];
            }
        }
        return string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
    }
}
