using System.Net.Http.Headers;
using System.Text.Json;
using GoDocker.Notifications;

namespace GoDocker.Server.Notifications;

/// <summary>POSTs one signed webhook event. Redirects are not followed: a receiver cannot send the server elsewhere.</summary>
public sealed class WebhookPoster(HttpClient http, TimeProvider time)
{
    /// <summary>A client for webhooks: no redirects, no cookies, no proxy from the environment.</summary>
    public static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Posts <paramref name="payload"/> to <paramref name="url"/> signed by <paramref name="key"/>; throws unless it answers 2xx.</summary>
    public async Task PostAsync(string url, byte[] key, WebhookEvent payload, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, WebhookJson.Default.WebhookEvent);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(key, time.GetUtcNow(), body));
        request.Headers.Add("X-GoDocker-Event", payload.Type);
        request.Headers.Add("X-GoDocker-Delivery", payload.Id);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("GoDocker-Webhook", "1"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }
}
