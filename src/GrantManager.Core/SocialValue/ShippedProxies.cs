using GrantManager.Core.Workflows;

namespace GrantManager.Core.SocialValue;

/// <summary>
/// The proxies shipped in <c>workflows/settings/social-value.json</c>, checked at start-up. They become each
/// measure's first version in the database when it has none; from then on administrators change them
/// (a page and a CSV import). The shipped values are illustrative and every page using them says so.
/// </summary>
public sealed class ShippedProxies(IReadOnlyList<ProxyVersion> proxies, string? notice)
{
    public const string FileName = "social-value.json";
    /// <summary>Where it lives, under the workflows folder.</summary>
    public const string RelativePath = "settings/" + FileName;
    /// <summary>Who the first versions are recorded as made by.</summary>
    public const string RecordedBy = "GrantManager (shipped illustrative values)";
    public static readonly DateOnly AppliesFrom = new(2000, 1, 1);

    public IReadOnlyList<ProxyVersion> Proxies => proxies;
    /// <summary>What the file says about its values, shown beside them.</summary>
    public string? Notice => notice;

    public const string SchemaFileName = "social-value.schema.json";

    /// <summary>One measure's entry in the file, as its schema describes it.</summary>
    private sealed record Proxy(decimal Value, string Per, string? Basis, string? Licence, int? PriceYear,
        decimal? DeadweightPercent, decimal? AttributionPercent);

    private sealed record File(bool? Illustrative, string? Notice, Dictionary<string, Proxy> Measures);

    /// <summary>The shipped proxies, after checking the file against its schema (each problem named by its JSON path).</summary>
    public static ShippedProxies Load(string workflowsFolder)
    {
        var path = Path.Combine(workflowsFolder, "settings", FileName);
        if (!System.IO.File.Exists(path)) return new ShippedProxies([], null);
        var schema = Path.Combine(workflowsFolder, "settings", SchemaFileName);
        if (!System.IO.File.Exists(schema))
            throw new WorkflowLoadException(workflowsFolder, [new WorkflowProblem($"settings/{SchemaFileName}", "$", "the proxies' schema is missing: ship it beside the proxies file")]);
        var problems = new List<WorkflowProblem>();
        var file = WorkflowLoader.ReadSettings<File>(path, schema, problems);
        if (problems.Count > 0 || file is null) throw new WorkflowLoadException(workflowsFolder, problems);
        var illustrative = file.Illustrative ?? true;
        var proxies = file.Measures.Select(m => new ProxyVersion
        {
            MeasureCode = m.Key, Version = 1, PoundsPerUnit = m.Value.Value, Unit = m.Value.Per.Trim(),
            Source = m.Value.Basis?.Trim() is { Length: > 0 } basis ? basis : "Illustrative placeholder",
            Licence = m.Value.Licence?.Trim() is { Length: > 0 } licence ? licence : "Shipped with GrantManager (MIT); not an evidenced figure",
            PriceYear = m.Value.PriceYear ?? 2025, DeadweightPercent = m.Value.DeadweightPercent ?? 0, AttributionPercent = m.Value.AttributionPercent ?? 100,
            AppliesFrom = AppliesFrom, Illustrative = illustrative, RecordedBy = RecordedBy,
            Reason = "The values shipped with the service, until the council sets its own",
        }).ToList();
        return new ShippedProxies(proxies, file.Notice);
    }
}
