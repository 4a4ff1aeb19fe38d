using System.Text.Json;
using GrantManager.Core.Workflows;

namespace GrantManager.Core.Grants;

/// <summary>The £ proxy value of one unit of an outcome measure, e.g. £10 per hour volunteered.</summary>
public sealed record SocialValueProxy(decimal Value, string Per, string Basis);

/// <summary>
/// The council's social value proxies, from <c>workflows/settings/social-value.json</c>, checked at start-up.
/// The shipped values are illustrative and say so wherever they are shown.
/// </summary>
public sealed class SocialValues(IReadOnlyDictionary<string, SocialValueProxy> byMeasure, bool illustrative, string? notice)
{
    public const string FileName = "social-value.json";
    /// <summary>Where it lives, under the workflows folder.</summary>
    public const string RelativePath = "settings/" + FileName;
    public bool Illustrative => illustrative;
    public string? Notice => notice;
    public IReadOnlyDictionary<string, SocialValueProxy> Measures => byMeasure;

    public SocialValueProxy? For(string measureCode) => byMeasure.GetValueOrDefault(measureCode);

    /// <summary>The social value of an amount of a measure, or 0 for a measure without a proxy.</summary>
    public decimal ValueOf(string measureCode, decimal amount) => For(measureCode) is { } p ? decimal.Round(amount * p.Value, 2) : 0;

    public static SocialValues Load(string workflowsFolder)
    {
        var path = Path.Combine(workflowsFolder, "settings", FileName);
        if (!File.Exists(path)) return new SocialValues(new Dictionary<string, SocialValueProxy>(), false, null);
        var problems = new List<WorkflowProblem>();
        var measures = new Dictionary<string, SocialValueProxy>(StringComparer.Ordinal);
        var illustrative = false;
        string? notice = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            illustrative = root.TryGetProperty("illustrative", out var i) && i.ValueKind == JsonValueKind.True;
            notice = root.TryGetProperty("notice", out var n) ? n.GetString() : null;
            if (!root.TryGetProperty("measures", out var m) || m.ValueKind != JsonValueKind.Object)
                problems.Add(new(FileName, "$.measures", "list the proxy values by measure code"));
            else
                foreach (var p in m.EnumerateObject())
                {
                    var at = $"$.measures.{p.Name}";
                    if (!p.Value.TryGetProperty("value", out var v) || v.ValueKind != JsonValueKind.Number || v.GetDecimal() < 0)
                    {
                        problems.Add(new(FileName, $"{at}.value", "give the value in pounds, 0 or more, like 10.50"));
                        continue;
                    }
                    var per = p.Value.TryGetProperty("per", out var pe) ? pe.GetString() : null;
                    if (string.IsNullOrWhiteSpace(per)) problems.Add(new(FileName, $"{at}.per", "say what one unit is, like \"hour volunteered\""));
                    measures[p.Name] = new SocialValueProxy(v.GetDecimal(), per ?? "", p.Value.TryGetProperty("basis", out var b) ? b.GetString() ?? "" : "");
                }
        }
        catch (JsonException e)
        {
            problems.Add(new(FileName, e.Path ?? "$", $"not valid JSON: {e.Message}"));
        }
        if (problems.Count > 0) throw new WorkflowLoadException(workflowsFolder, problems);
        return new SocialValues(measures, illustrative, notice);
    }
}
