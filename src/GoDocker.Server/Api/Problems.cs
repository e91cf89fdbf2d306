namespace GoDocker.Server.Api;

/// <summary>Every refusal the API gives, as RFC 9457 problem details naming what was wrong.</summary>
internal static class Problems
{
    public static IResult Validation(IReadOnlyDictionary<string, string[]> errors, string detail = "the request has invalid fields") =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value), detail, title: "Invalid request");

    public static IResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] }, message);

    public static IResult JobNotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"job {id} does not exist");

    public static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    /// <summary>403 with the refused field named, as a validation problem would name it.</summary>
    public static IResult ForbiddenField(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden",
            Detail = message,
        });

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>503: the node's engine the request needs does not answer now; the same request can succeed later.</summary>
    public static IResult Unavailable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Node unavailable", detail: detail);

    public static IResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"the request body is larger than the limit of {limit} bytes");
}
