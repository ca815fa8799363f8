using System.Text.Json;
using System.Text.Json.Serialization;
using Stride.Server.Auth;
using Stride.Server.Changes;
using Stride.Server.Connections;
using Stride.Server.Dashboard;
using Stride.Server.Deployments;
using Stride.Server.Health;
using Stride.Server.Incidents;
using Stride.Server.Ingestion;
using Stride.Server.Keys;
using Stride.Server.Limits;
using Stride.Server.Logging;
using Stride.Server.Metrics;
using Stride.Server.OpenApi;
using Stride.Server.Operations;
using Stride.Server.Organizations;
using Stride.Server.Storage;
using Stride.Server.Systems;
using Stride.Server.Webhooks;
using Stride.Storage;

// appsettings.json is found beside the binary wherever the server is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddStrideLogging();                             // JSON lines unless in a terminal; never a key in a log
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--database"] = "Stride:Database" });
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://localhost:8080");   // SPEC §1's default listen address
}

builder.Services.AddSingleton(TimeProvider.System);
await builder.AddStrideStorageAsync();                  // SQLite file unless Stride:Database says otherwise
builder.Services.AddStrideAuth();                       // API keys with scopes
builder.Services.AddStrideLimits(builder.Configuration); // per-key rate limit and request time limit (Stride:Limits)
builder.Services.AddStrideOpenApi();                    // /openapi/v1.json, built when asked for
builder.AddStrideDashboard();                           // the web dashboard at /, with its own sign-in cookie
builder.AddStrideOperations();                          // GET /metrics for Prometheus (Stride:Prometheus:*)
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    // Kestrel's own messages ("Request body too large…") tell the client what to fix.
    if (c.Exception is BadHttpRequestException bad)
    {
        c.ProblemDetails.Detail = bad.Message;
    }
});
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;   // nulls are part of the contract
});

var app = builder.Build();
app.UseRequestCounters();                               // first, so that it sees the status sent, errors included
app.UseStrideRequestLog();                             // off unless Logging:LogLevel:Stride.Requests=Information
app.Use(static (context, next) =>                      // the request's reads share one catch-up (PostgreSQL)
{
    ReadScope.Begin();
    return next(context);
});
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // A client's broken request (too large, cut short) is its error, not the server's.
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseStrideLimits();
app.UseScopeChecks();

app.MapHealthApi();
app.MapOperationsApi();                                 // operator keys only: every organization's numbers
app.MapIngestionApi();
app.MapPulseApi();
app.MapWebhooksApi();                                  // GitHub, GitLab and PagerDuty webhooks (SPEC §4.4)
app.MapMetricsApi();
app.MapSeriesApi();
app.MapIssueMetricsApi();                              // what DevLake computes from webhook issues (SPEC §3)
app.MapDeploymentsApi();
app.MapIncidentsApi();
app.MapChangesApi();
app.MapSystemsApi();
app.MapKeysApi();
app.MapOrganizationsApi();                              // operator only: tenants and their first keys
app.MapConnectionsApi();                                // DevLake-compatible webhook connections (SPEC §4.3)
app.MapStrideOpenApi();                                 // the document and the reference page at /api-reference
app.MapStrideDashboard();

await app.Services.EnsureFirstKeyAsync(app.Configuration, Console.Out, app.Lifetime.ApplicationStopping);
await app.RunAsync();
