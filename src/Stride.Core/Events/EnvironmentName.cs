namespace Stride.Core.Events;

/// <summary>Environments are compared case-insensitively, so they are kept lower-cased.</summary>
public static class EnvironmentName
{
    public const string Production = "production";

    /// <summary>Missing or blank becomes <see cref="Production"/>; anything else is trimmed and lower-cased.</summary>
    public static string Normalize(string? value)
        => string.IsNullOrWhiteSpace(value) ? Production : value.Trim().ToLowerInvariant();
}
