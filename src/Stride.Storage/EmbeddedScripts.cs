using System.Globalization;

namespace Stride.Storage;

/// <summary>One store's migration scripts, embedded in this assembly as <c>Sql/&lt;store&gt;/NNNN_name.sql</c>.</summary>
/// <remarks>Numbered 1, 2, 3, … without gaps, forward-only, never edited once merged.</remarks>
internal sealed class EmbeddedScripts
{
    private readonly string _prefix;

    /// <param name="store">The folder under <c>Sql/</c>: <c>Sqlite</c> or <c>Postgres</c>.</param>
    /// <exception cref="InvalidOperationException">A script is misnamed, the numbers have a gap, or there is none.</exception>
    public EmbeddedScripts(string store)
    {
        _prefix = $"Stride.Storage.Sql.{store}.";
        var scripts = new List<(int Version, string Name)>();
        foreach (var resource in typeof(EmbeddedScripts).Assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(_prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[_prefix.Length..];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Embedded migration {name} is not named NNNN_name.sql.");
            }

            scripts.Add((version, name));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Embedded migrations must be numbered 1, 2, 3, … without gaps; found {scripts[i].Name}.");
            }
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"No {store} migrations are embedded in Stride.Storage.");
        }

        Scripts = scripts;
    }

    /// <summary>The scripts by version, oldest first.</summary>
    public IReadOnlyList<(int Version, string Name)> Scripts { get; }

    /// <summary>The schema version the scripts create.</summary>
    public int LatestVersion => Scripts[^1].Version;

    /// <summary>The text of a script, by its file name.</summary>
    public string Read(string name)
    {
        using var stream = typeof(EmbeddedScripts).Assembly.GetManifestResourceStream(_prefix + name)
            ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
