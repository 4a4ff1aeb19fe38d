using System.Text.Json;
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

    public static ShippedProxies Load(string workflowsFolder)
    {
        var path = Path.Combine(workflowsFolder, "settings", FileName);
        if (!File.Exists(path)) return new ShippedProxies([], null);
        var problems = new List<WorkflowProblem>();
        var proxies = new List<ProxyVersion>();
        string? notice = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var illustrative = !root.TryGetProperty("illustrative", out var i) || i.ValueKind != JsonValueKind.False;
            notice = root.TryGetProperty("notice", out var n) ? n.GetString() : null;
            if (!root.TryGetProperty("measures", out var m) || m.ValueKind != JsonValueKind.Object)
                problems.Add(new(FileName, "$.measures", "list the proxy values by measure code"));
            else
                foreach (var p in m.EnumerateObject())
                {
                    var at = $"$.measures.{p.Name}";
                    string Text(string name) => p.Value.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "";
                    decimal? Number(string name) => p.Value.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDecimal() : null;
                    if (Number("value") is not decimal value || value < 0 || value != decimal.Round(value, 2))
                    {
                        problems.Add(new(FileName, $"{at}.value", "give the value in pounds and pence, 0 or more, like 10.50"));
                        continue;
                    }
                    var per = Text("per");
                    if (per.Length == 0) problems.Add(new(FileName, $"{at}.per", "say what one unit is, like \"hour volunteered\""));
                    var deadweight = Number("deadweightPercent") ?? 0;
                    var attribution = Number("attributionPercent") ?? 100;
                    if (deadweight is < 0 or > 100) problems.Add(new(FileName, $"{at}.deadweightPercent", "give a percentage from 0 to 100"));
                    if (attribution is < 0 or > 100) problems.Add(new(FileName, $"{at}.attributionPercent", "give a percentage from 0 to 100"));
                    proxies.Add(new ProxyVersion
                    {
                        MeasureCode = p.Name, Version = 1, PoundsPerUnit = value, Unit = per,
                        Source = Text("basis") is { Length: > 0 } basis ? basis : "Illustrative placeholder",
                        Licence = Text("licence") is { Length: > 0 } licence ? licence : "Shipped with GrantManager (MIT); not an evidenced figure",
                        PriceYear = (int)(Number("priceYear") ?? 2025), DeadweightPercent = deadweight, AttributionPercent = attribution,
                        AppliesFrom = AppliesFrom, Illustrative = illustrative, RecordedBy = RecordedBy,
                        Reason = "The values shipped with the service, until the council sets its own",
                    });
                }
        }
        catch (JsonException e)
        {
            problems.Add(new(FileName, e.Path ?? "$", $"not valid JSON: {e.Message}"));
        }
        if (problems.Count > 0) throw new WorkflowLoadException(workflowsFolder, problems);
        return new ShippedProxies(proxies, notice);
    }
}
