using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Stride.Cli.Api;

namespace Stride.Cli.Commands;

/// <summary>The options several commands share, with pulse-event-cli's spellings, and their checks.</summary>
internal sealed class Options(CliContext context)
{
    /// <summary>The largest timestamp the server accepts (9999-12-31T23:59:59Z).</summary>
    private const long MaxTimestamp = 253402300799;

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The API key (ingest scope); default: the STRIDE_API_KEY environment variable",
        Recursive = true,
    };

    public Option<string> BaseUrl { get; } = new("--base-url")
    {
        Description = "The Stride server; default: the STRIDE_URL environment variable, else http://localhost:8080",
        Recursive = true,
    };

    public Option<string?> System { get; } = new("--system")
    {
        Description = "The system the events belong to (a name or a repository URL)",
        Recursive = true,
    };

    /// <summary>Opens a client from <c>--base-url</c>/<c>STRIDE_URL</c> and <c>--api-key</c>/<c>STRIDE_API_KEY</c>.</summary>
    /// <exception cref="UsageException">No key, or a URL that is not http(s).</exception>
    public StrideClient CreateClient(ParseResult parse)
    {
        var key = parse.GetValue(ApiKey) ?? context.Environment("STRIDE_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new UsageException("An API key is required: pass --api-key, or set STRIDE_API_KEY (which keeps it off the command line).");
        }

        var url = parse.GetValue(BaseUrl) ?? NullIfBlank(context.Environment("STRIDE_URL")) ?? "http://localhost:8080";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--base-url must be an http or https URL, got '{url}'.");
        }

        return new StrideClient(baseUrl, key.Trim(), context.Http);
    }

    public static Option<string> Identifier(string description) => new("--identifier")
    {
        Description = description,
        Required = true,
        CustomParser = r => NotBlank(r, "--identifier"),
    };

    /// <summary>A Unix-seconds time, as pulse-event-cli takes them; anything else is a usage error.</summary>
    public static Option<long> Timestamp(string name, string description, bool required = true) => new(name)
    {
        Description = description,
        Required = required,
        CustomParser = r => ParseTimestamp(r, name),
    };

    public static Option<string> Source() => new("--source")
    {
        Description = "Where the event comes from (accepted for pulse-event-cli compatibility; not stored)",
        DefaultValueFactory = _ => "cli",
    };

    public static Option<string[]> Teams() => new("--teams")
    {
        Description = "Teams that own the deployment, comma-separated (e.g. a,b)",
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
    };

    public static Option<string?> Environment() => new("--environment")
    {
        Description = "The environment deployed to (default: production)",
    };

    public static Option<string?> Result() => new("--result")
    {
        Description = "success (default), failure or aborted",
        CustomParser = r =>
        {
            var value = r.Tokens.Single().Value;
            if (value.ToLowerInvariant() is not ("success" or "failure" or "aborted"))
            {
                r.AddError($"--result must be success, failure or aborted, got '{value}'.");
            }

            return value.ToLowerInvariant();
        },
    };

    public static Option<bool> Rework() => new("--rework")
    {
        Description = "The deployment reworks an earlier one (a hotfix or rollback)",
    };

    public static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string NotBlank(ArgumentResult result, string name)
    {
        var value = result.Tokens.Single().Value;
        if (string.IsNullOrWhiteSpace(value))
        {
            result.AddError($"{name} must not be empty.");
        }

        return value.Trim();
    }

    private static long ParseTimestamp(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is <= 0 or > MaxTimestamp)
        {
            result.AddError($"{name} must be a time in Unix seconds (a positive whole number, e.g. 1700000000), got '{text}'.");
        }

        return seconds;
    }
}
