using System.Text.Json;
using System.Text.Json.Serialization;
using Stride.Server.Auth;
using Stride.Server.Deployments;
using Stride.Server.Health;
using Stride.Server.Ingestion;
using Stride.Server.Keys;
using Stride.Server.Metrics;
using Stride.Server.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--database"] = "Stride:Database" });
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://localhost:8080");   // SPEC §1's default listen address
}

builder.Services.AddSingleton(TimeProvider.System);
await builder.AddStrideStorageAsync();                  // SQLite file unless Stride:Database says otherwise
builder.Services.AddStrideAuth();                       // API keys with scopes
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;   // nulls are part of the contract
});

var app = builder.Build();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // A client's broken request (too large, cut short) is its error, not the server's.
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
    SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthApi();
app.MapIngestionApi();
app.MapPulseApi();
app.MapMetricsApi();
app.MapDeploymentsApi();
app.MapKeysApi();

await app.Services.EnsureFirstKeyAsync(app.Configuration, Console.Out, app.Lifetime.ApplicationStopping);
await app.RunAsync();
