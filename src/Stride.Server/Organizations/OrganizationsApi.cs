using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Organizations;

/// <summary>Tenants of the server (SPEC §4.6): only a key with the server-wide <c>operator</c> scope manages them.</summary>
internal static class OrganizationsApi
{
    public const int MaxNameLength = 100;

    public static RouteGroupBuilder MapOrganizationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/organizations").WithTags("Organizations").RequireScope(Scopes.Operator);
        group.MapPost("/", CreateOrganizationAsync).WithName("CreateOrganization")
            .WithSummary("Create an organization and its first admin key; the key is shown this once");
        group.MapGet("/", ListOrganizationsAsync).WithName("ListOrganizations").WithSummary("List every organization");
        return group;
    }

    private static async Task<Results<Created<CreatedOrganizationResponse>, ValidationProblem, ProblemHttpResult>> CreateOrganizationAsync(
        CreateOrganizationRequest request, IKeyStore keys, KeyHasher hasher, TimeProvider time, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["name"] = [$"is required: 1 to {MaxNameLength} characters, no control characters."] },
                detail: "The organization needs a name.");
        }

        var key = ApiKeys.Generate();
        var created = await keys.CreateOrganizationAsync(
            name,
            new NewApiKey(0, "admin", ApiKeys.Prefix(key), await hasher.HashAsync(key), [Scopes.Admin], time.GetUtcNow().ToUnixTimeSeconds()),
            ct);
        if (created is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"An organization named '{name}' exists already.");
        }

        return TypedResults.Created($"/api/v1/organizations/{created.Id}", new CreatedOrganizationResponse(created.Id, created.Name, key));
    }

    private static async Task<Ok<OrganizationResponse[]>> ListOrganizationsAsync(IKeyStore keys, CancellationToken ct)
    {
        var list = await keys.ListOrganizationsAsync(ct);
        return TypedResults.Ok(list.Select(o => new OrganizationResponse(o.Id, o.Name, Timestamps.ToRfc3339(o.CreatedAt))).ToArray());
    }
}

/// <summary>The body of <c>POST /api/v1/organizations</c>.</summary>
internal sealed record CreateOrganizationRequest(string? Name);

/// <summary>A new organization with its first admin key: the only time that key is shown.</summary>
internal sealed record CreatedOrganizationResponse(long Id, string Name, string AdminKey);

/// <summary>An organization as listed.</summary>
internal sealed record OrganizationResponse(long Id, string Name, string CreatedAt);
