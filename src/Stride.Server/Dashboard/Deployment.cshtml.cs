using Microsoft.AspNetCore.Mvc;
using Stride.Core.Events;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>One deployment (<c>/deployment?of=SYSTEM&amp;deployment=ID&amp;environment=…</c>): its changes with their lead times, and its incidents.</summary>
public sealed class DeploymentModel(IEventStore store) : DashboardPageModel
{
    internal DeploymentView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var filters = DashboardFilters.Read(Request.Query);
        var system = SystemName.Normalize(Request.Query["of"]);
        var environment = EnvironmentName.Normalize(Request.Query["environment"]);
        var identifier = Request.Query["deployment"].ToString();
        var detail = identifier.Length == 0
            ? null
            : await store.FindDeploymentAsync(Session.Organization, system, environment, identifier, ct);
        View = new DeploymentView(filters, system, environment, identifier, detail);
        if (detail is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }
}

/// <summary>What the deployment page shows; <see cref="Detail"/> is null when there is no such deployment.</summary>
internal sealed record DeploymentView(DashboardFilters Filters, string System, string Environment, string Identifier, DeploymentDetail? Detail)
{
    public string BackLink => "/" + Filters.ToQueryString();
}
