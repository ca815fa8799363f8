using System.Text.Json;

namespace Stride.Server.Ingestion;

/// <summary>What text the ingestion routes store, and the check that a parsed document holds only well-formed text.</summary>
internal static class TextRules
{
    /// <summary>What is wrong with a value that is stored (an id, a system, an environment, a team), or null when nothing is.</summary>
    /// <remarks>
    /// Control characters other than tab, line feed and carriage return are refused: PostgreSQL cannot store NUL
    /// in text at all, and no tool writes the others (ESC, BEL, …) in an id; they only garble logs and terminals.
    /// Line breaks stay allowed (CSV output quotes them). An unpaired surrogate is not Unicode text: PostgreSQL's
    /// driver refuses it and SQLite's silently replaces it.
    /// </remarks>
    public static string? Problem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"must not hold control characters (U+{(int)c:X4} at position {i}).";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"must be Unicode text: it holds an unpaired surrogate (U+{(int)c:X4} at position {i}).";
            }
        }

        return null;
    }

    /// <summary>
    /// The path of the first string or member name in <paramref name="element"/> that is not text (raw bytes that
    /// are not UTF-8, or an escaped unpaired surrogate such as <c>"\ud800"</c>), or null when all are.
    /// </summary>
    /// <remarks>
    /// <see cref="JsonDocument"/> parses such strings and fails only when one is read, with an
    /// <see cref="InvalidOperationException"/>; checking the whole document first lets the mappings read any value.
    /// </remarks>
    public static string? FindMalformed(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !IsText(element, static e => e.GetString()):
                return path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsText(property, static p => p.Name))
                    {
                        return path;
                    }

                    var member = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (FindMalformed(property.Value, member) is { } found)
                    {
                        return found;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindMalformed(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                break;
        }

        return null;
    }

    private static bool IsText<T>(T value, Func<T, string?> read)
    {
        try
        {
            read(value);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
