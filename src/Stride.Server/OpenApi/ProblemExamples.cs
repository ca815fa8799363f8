namespace Stride.Server.OpenApi;

/// <summary>Examples of <c>application/problem+json</c> answers, as the server wrote them.</summary>
internal static class ProblemExamples
{
    public const string Unauthorized = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.2", "title": "Unauthorized", "status": 401, "detail": "An API key is required: send it as 'Authorization: Bearer <key>', 'X-Api-Key: <key>' or the 'api_key' query parameter.", "traceId": "0HNQ8P10AN7R2:00000001"}
        """;

    public const string Forbidden = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Forbidden", "status": 403, "detail": "The API key does not have the scope this route needs.", "traceId": "0HNQ8P10AN7R4:00000001"}
        """;

    public const string InvalidItem = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "Item 1: 'timestamp' is required: Unix seconds or an RFC 3339 date-time with an offset, such as 2026-11-01T12:00:00Z. Nothing was stored.", "errors": {"[1].timestamp": ["is required: Unix seconds or an RFC 3339 date-time with an offset, such as 2026-11-01T12:00:00Z."]}, "index": 1, "traceId": "0HNQ8P10AN7R5:00000001"}
        """;

    public const string TooLarge = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.14", "title": "Content Too Large", "status": 413, "detail": "Request body too large. The max request body size is 30000000 bytes.", "traceId": "0HNQ8P10AN7RC:00000001"}
        """;

    public const string InvalidQuery = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "The query parameters are not valid.", "errors": {"from": ["must be Unix seconds, an RFC 3339 date-time (2026-11-01T00:00:00Z) or a date (2026-11-01)."]}, "traceId": "0HNQ8P10AN7R6:00000001"}
        """;

    public const string NoDeployment = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "System 'web' has no successful deployment in environment 'production'.", "traceId": "0HNQ8P10AN7R7:00000001"}
        """;

    public const string InvalidKey = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "Unknown scope 'write'.", "errors": {"scopes": ["must list one or more of: ingest, read, admin."]}, "traceId": "0HNQ8P10AN7R8:00000001"}
        """;

    public const string InvalidOrganization = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "The organization needs a name.", "errors": {"name": ["is required: 1 to 100 characters, no control characters."]}, "traceId": "0HNQ8P10AN7R8:00000002"}
        """;

    public const string OrganizationExists = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Conflict", "status": 409, "detail": "An organization named 'payments' exists already.", "traceId": "0HNQ8P10AN7R8:00000003"}
        """;

    public const string TooManyRequests = """
        {"type": "https://tools.ietf.org/html/rfc6585#section-4", "title": "Too Many Requests", "status": 429, "detail": "This key (or, without one, this address) sent more than its 1000 requests per second. Retry after 1 s, or send events in batches (POST /api/v1/events takes up to 100,000 per request).", "traceId": "0HNQ8P10AN7RE:00000001"}
        """;

    public const string NoKey = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "This organization has no active key 99.", "traceId": "0HNQ8P10AN7R9:00000001"}
        """;

    public const string NotReady = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.6.4", "title": "Service Unavailable", "status": 503, "detail": "The database does not answer.", "traceId": "0HNQ8P10AN7RD:00000001"}
        """;

    public const string MissingIdentifier = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "errors": {"identifier": ["is required."]}, "traceId": "0HNQ8P10AN7RA:00000001"}
        """;

    public const string NoSuchDeployment = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "System 'api' has no deployment 'v9' in environment 'production'.", "traceId": "0HNQ8P10AN7RB:00000001"}
        """;
}
