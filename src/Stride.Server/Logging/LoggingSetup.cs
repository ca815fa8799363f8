using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Primitives;
using Stride.Server.Auth;

namespace Stride.Server.Logging;

/// <summary>
/// Console logs as JSON lines (one object per entry, for log shippers) unless a terminal reads them,
/// and an optional line per request with secrets cut out of its query string.
/// </summary>
/// <remarks>
/// API keys must never reach a log. The Pulse form sends the key in the query string (<c>?api_key=</c>),
/// which ASP.NET Core's own request lines would print: those are switched off in code, where no
/// configuration can turn them back on, and <see cref="UseStrideRequestLog"/> writes the request line
/// instead, redacted.
/// </remarks>
internal static class LoggingSetup
{
    /// <summary>The category of the request lines: <c>Logging:LogLevel:Stride.Requests=Information</c> turns them on.</summary>
    public const string RequestCategory = "Stride.Requests";

    public const string Redacted = "***";

    // Query parameters holding secrets: api_key (Pulse) and whatever else a client may send.
    private static readonly string[] SecretParameterWords = ["key", "token", "secret", "password", "signature"];

    public static void AddStrideLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);   // its request lines hold query strings

        // JSON when the output goes to a file, a pipe or a log collector; plain text in a terminal. An
        // explicit Logging:Console:FormatterName (json, simple, systemd) wins.
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]) && Console.IsOutputRedirected)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    /// <summary>One log entry per request (method, path, redacted query, status, time, organization), when its category is enabled at start.</summary>
    /// <remarks>Off by default: a line per request would cost more than a small ingestion request itself.</remarks>
    public static IApplicationBuilder UseStrideRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(RequestCategory);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                logger.LogInformation(
                    "{Method} {Path}{Query} answered {Status} in {ElapsedMs} ms (organization {Organization}, key {KeyId})",
                    context.Request.Method,
                    context.Request.Path.Value,
                    RedactQuery(context.Request.QueryString),
                    context.Response.StatusCode,
                    Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
                    context.User.FindFirstValue(ApiKeyAuthenticationHandler.OrganizationClaim),
                    context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim));
            }
        });
    }

    /// <summary>The query string with the value of every parameter that may hold a secret replaced by <see cref="Redacted"/>.</summary>
    public static string RedactQuery(QueryString query)
    {
        if (!query.HasValue)
        {
            return "";
        }

        var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query.Value);
        var text = new StringBuilder();
        foreach (var (name, values) in parsed)
        {
            var secret = SecretParameterWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));
            foreach (var value in secret ? new StringValues(Redacted) : values)
            {
                text.Append(text.Length == 0 ? '?' : '&')
                    .Append(Uri.EscapeDataString(name)).Append('=')
                    .Append(secret ? Redacted : Uri.EscapeDataString(value ?? ""));
            }
        }

        return text.ToString();
    }
}
