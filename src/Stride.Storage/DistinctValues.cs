namespace Stride.Storage;

/// <summary>Lists of identifiers as both event writers store them: each value once, where it first appears.</summary>
internal static class DistinctValues
{
    // Up to this many values a linear scan beats a hash set, and allocates nothing on top: a
    // deployment lists a handful of changes, and a request of 5,000 events holds about a thousand.
    private const int ScannedUpTo = 16;

    public static List<string> InOrder(IReadOnlyList<string> values)
    {
        var result = new List<string>(values.Count);
        if (values.Count <= ScannedUpTo)
        {
            foreach (var value in values)
            {
                if (!result.Contains(value))   // string equality is ordinal
                {
                    result.Add(value);
                }
            }

            return result;
        }

        var seen = new HashSet<string>(values.Count, StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (seen.Add(value))
            {
                result.Add(value);
            }
        }

        return result;
    }
}
