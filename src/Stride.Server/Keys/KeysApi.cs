using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Keys;

/// <summary>API keys of the caller's organization (SPEC §4.6).</summary>
internal static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/keys").WithTags("Keys").RequireScope(Scopes.Admin);
        group.MapPost("/", CreateKeyAsync).WithName("CreateKey").WithSummary("Create a key; its secret is shown this once");
        group.MapGet("/", ListKeysAsync).WithName("ListKeys").WithSummary("List the organization's keys, without secrets");
        group.MapDelete("/{id:long}", RevokeKeyAsync).WithName("RevokeKey").WithSummary("Revoke a key, at once");
        return group;
    }

    private static async Task<Results<Created<CreatedKeyResponse>, ValidationProblem>> CreateKeyAsync(
        CreateKeyRequest request, HttpContext http, IKeyStore keys, KeyHasher hasher, TimeProvider time, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["name"] = ["is required: 1 to 100 characters."] },
                detail: "The key needs a name, so that people can tell keys apart.");
        }

        var scopes = (request.Scopes ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? "").Distinct().ToArray();
        var unknown = scopes.Where(s => !Scopes.Grantable.Contains(s)).ToArray();
        if (scopes.Length == 0 || unknown.Length > 0)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["scopes"] = [$"must list one or more of: {string.Join(", ", Scopes.Grantable)}."] },
                detail: unknown.Length > 0 ? $"Unknown scope '{unknown[0]}'." : "At least one scope is required.");
        }

        var key = ApiKeys.Generate();
        var id = await keys.CreateKeyAsync(
            new NewApiKey(http.User.Organization(), name, ApiKeys.Prefix(key), await hasher.HashAsync(key), scopes,
                time.GetUtcNow().ToUnixTimeSeconds()),
            ct);
        return TypedResults.Created($"/api/v1/keys/{id}", new CreatedKeyResponse(id, key, name, scopes, ApiKeys.Prefix(key)));
    }

    private static async Task<Ok<KeyResponse[]>> ListKeysAsync(HttpContext http, IKeyStore keys, CancellationToken ct)
    {
        var list = await keys.ListKeysAsync(http.User.Organization(), ct);
        return TypedResults.Ok(list.Select(k => new KeyResponse(
            k.Id, k.Name, k.Prefix, k.Scopes,
            Core.Events.Timestamps.ToRfc3339(k.CreatedAt),
            k.RevokedAt is { } r ? Core.Events.Timestamps.ToRfc3339(r) : null,
            k.LastUsedAt is { } u ? Core.Events.Timestamps.ToRfc3339(u) : null)).ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        long id, HttpContext http, IKeyStore keys, KeyCache cache, TimeProvider time, CancellationToken ct)
    {
        var revoked = await keys.RevokeKeyAsync(http.User.Organization(), id, time.GetUtcNow().ToUnixTimeSeconds(), ct);
        if (revoked == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"This organization has no active key {id}.");
        }

        cache.Evict(id);
        return TypedResults.NoContent();
    }
}

/// <summary>The body of <c>POST /api/v1/keys</c>.</summary>
/// <remarks>Checked in the handler, so that every problem names its field in the same words.</remarks>
internal sealed record CreateKeyRequest(string? Name, IReadOnlyList<string?>? Scopes);

/// <summary>A created key: the only time its secret is shown.</summary>
internal sealed record CreatedKeyResponse(long Id, string Key, string Name, IReadOnlyList<string> Scopes, string Prefix);

/// <summary>A key as listed: no secret.</summary>
/// <param name="LastUsedAt">When the key was last used, to the minute (null when never).</param>
internal sealed record KeyResponse(
    long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string CreatedAt, string? RevokedAt, string? LastUsedAt);
