using GoDocker.Contracts;
using GoDocker.Server.Auth;
using GoDocker.Server.UseCases;

namespace GoDocker.Server.Api;

/// <summary>/api/v1/webhooks: the caller's own webhooks (README, "Notifications").</summary>
internal static class WebhooksApi
{
    public static void MapWebhooks(this IEndpointRouteBuilder api)
    {
        api.MapGet("/webhooks", ListAsync)
            .WithName("ListWebhooks").WithSummary("The caller's webhooks (never their secrets)").Produces<IReadOnlyList<WebhookView>>();
        api.MapPost("/webhooks", AddAsync)
            .WithName("AddWebhook").WithSummary("A new webhook for the caller's jobs' events; its signing secret is shown once")
            .Accepts<NewWebhookRequest>("application/json").Produces<WebhookView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete("/webhooks/{id}", RemoveAsync)
            .WithName("RemoveWebhook").WithSummary("Remove one of the caller's webhooks")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(HttpContext context, CallerResolver callers, UserWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.ListAsync(await callers.ResolveAsync(context, cancellationToken), cancellationToken));

    private static async Task<IResult> AddAsync(HttpContext context, CallerResolver callers, UserWebhooks webhooks, CancellationToken cancellationToken)
    {
        var request = await JsonBody.ReadAsync(context, GoDockerJson.Default.NewWebhookRequest, cancellationToken);
        if (request.Refused is not null)
        {
            return request.Refused;
        }
        var outcome = await webhooks.AddAsync(await callers.ResolveAsync(context, cancellationToken), request.Value!, cancellationToken);
        if (outcome.Added is { } added)
        {
            return TypedResults.Created($"/api/v1/webhooks/{added.Id}", added);
        }
        return outcome.Forbidden ? Problems.ForbiddenField(outcome.Field!, outcome.Refusal!) : Problems.Field(outcome.Field!, outcome.Refusal!);
    }

    private static async Task<IResult> RemoveAsync(string id, HttpContext context, CallerResolver callers, UserWebhooks webhooks, CancellationToken cancellationToken) =>
        await webhooks.RemoveAsync(await callers.ResolveAsync(context, cancellationToken), id, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("No such webhook", $"you have no webhook {id}");
}
