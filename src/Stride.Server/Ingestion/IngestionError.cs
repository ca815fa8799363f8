using Microsoft.AspNetCore.Http.HttpResults;

namespace Stride.Server.Ingestion;

/// <summary>What is wrong with a request's body: the field, and in a batch the item's index.</summary>
internal sealed record IngestionError(int? Index, string Field, string Message)
{
    /// <summary>The key under which the error appears in <c>errors</c>: <c>[3].timestamp</c>, or <c>timestamp</c>.</summary>
    public string Key => Index is { } i ? Field.Length == 0 ? $"[{i}]" : $"[{i}].{Field}" : Field;

    public override string ToString()
        => Index is { } i
            ? $"Item {i}: {(Field.Length == 0 ? "" : $"'{Field}' ")}{Message}"
            : $"{(Field.Length == 0 ? "The body" : $"'{Field}'")} {Message}";
}

/// <summary>Turns ingestion errors into RFC 9457 problem details.</summary>
internal static class IngestionProblems
{
    private const int MaxListed = 50;

    public static ValidationProblem From(IReadOnlyList<IngestionError> errors)
    {
        var first = errors[0];
        var byKey = errors.Take(MaxListed)
            .GroupBy(e => e.Key)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var extensions = new Dictionary<string, object?>();
        if (first.Index is { } index)
        {
            extensions["index"] = index;
        }

        var more = errors.Count > 1 ? $" ({errors.Count} errors in all; nothing was stored)" : " Nothing was stored.";
        return TypedResults.ValidationProblem(byKey, detail: first + more, extensions: extensions);
    }
}
