namespace Stride.Storage;

/// <summary>Orders text as SQLite's BINARY and PostgreSQL's "C" collations do: by code point (UTF-8 byte order).</summary>
/// <remarks>Unlike <see cref="StringComparer.Ordinal"/>, which orders UTF-16 units and so puts U+E000–U+FFFF after the supplementary planes.</remarks>
internal static class CodePointOrder
{
    public static readonly Comparer<string> Comparer = Comparer<string>.Create(Compare);

    public static int Compare(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                // A surrogate stands for a code point above U+FFFF, so above every other UTF-16 unit.
                return char.IsSurrogate(x) != char.IsSurrogate(y) ? (char.IsSurrogate(x) ? 1 : -1) : x - y;
            }
        }

        return a.Length - b.Length;
    }
}
