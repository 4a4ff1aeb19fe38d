namespace GrantManager.Core.SocialValue;

/// <summary>
/// One version of the council's proxy for an outcome measure: what one unit is worth in pounds, where that
/// figure comes from, and how much of the outcome the grant may claim. Versions are never changed or
/// deleted; a change is a new version, so every past report can be explained.
/// </summary>
public sealed class ProxyVersion
{
    public int Id { get; set; }
    public string MeasureCode { get; set; } = "";
    /// <summary>1 for the first version of the measure's proxy, then 2, 3…</summary>
    public int Version { get; set; }
    /// <summary>Pounds per unit, e.g. 120 per person supported.</summary>
    public decimal PoundsPerUnit { get; set; }
    /// <summary>What one unit is, e.g. "person supported".</summary>
    public string Unit { get; set; } = "";
    public string Source { get; set; } = "";
    public string Licence { get; set; } = "";
    /// <summary>The year whose prices the value is in.</summary>
    public int PriceYear { get; set; }
    /// <summary>The share of the outcome that would have happened without the grant (0 to 100).</summary>
    public decimal DeadweightPercent { get; set; }
    /// <summary>The share of what is left that this grant may claim, rather than others who also helped (0 to 100; 100 claims it all).</summary>
    public decimal AttributionPercent { get; set; } = 100;
    /// <summary>The first day the version is used for.</summary>
    public DateOnly AppliesFrom { get; set; }
    /// <summary>A shipped placeholder, not an evidenced figure: every page showing it says so.</summary>
    public bool Illustrative { get; set; }
    public DateTime RecordedAt { get; set; }
    public string? RecordedById { get; set; }
    public string RecordedBy { get; set; } = "";
    public string? Reason { get; set; }

    /// <summary>
    /// Gross = units × £ per unit; net = gross × (1 − deadweight) × attribution. Each is rounded to the
    /// penny (halves away from zero) once, at the end, for one grant's figure for one measure.
    /// </summary>
    public SocialValueFigure Value(decimal units)
    {
        var gross = units * PoundsPerUnit;
        var net = gross * (1 - DeadweightPercent / 100m) * (AttributionPercent / 100m);
        return new SocialValueFigure(Pence(gross), Pence(net));
    }

    /// <summary>
    /// Whether a new version with these figures would change anything. Sending a shipped placeholder back unchanged
    /// does not make it the council's own figure: it stays illustrative until a figure changes.
    /// </summary>
    public bool SameFiguresAs(ProxyVersion other) => SameValueAs(other) && AppliesFrom == other.AppliesFrom;

    /// <summary>The same figures, whatever day each applies from.</summary>
    public bool SameValueAs(ProxyVersion other) =>
        PoundsPerUnit == other.PoundsPerUnit && Unit == other.Unit && Source == other.Source && Licence == other.Licence
        && PriceYear == other.PriceYear && DeadweightPercent == other.DeadweightPercent && AttributionPercent == other.AttributionPercent;

    private static decimal Pence(decimal pounds) => decimal.Round(pounds, 2, MidpointRounding.AwayFromZero);
}

/// <summary>A social value in pounds before (gross) and after (net) deadweight and attribution.</summary>
public readonly record struct SocialValueFigure(decimal Gross, decimal Net)
{
    public static SocialValueFigure operator +(SocialValueFigure a, SocialValueFigure b) => new(a.Gross + b.Gross, a.Net + b.Net);
    public static SocialValueFigure operator -(SocialValueFigure a, SocialValueFigure b) => new(a.Gross - b.Gross, a.Net - b.Net);
}

/// <summary>
/// Every version of every proxy, and the rule for which one values a figure: the version in force on the
/// last day of the period the figure covers — the one applying from the latest day on or before it, and of
/// two applying from the same day the later version.
/// </summary>
public sealed class ProxyBook(IReadOnlyList<ProxyVersion> versions)
{
    public IReadOnlyList<ProxyVersion> All => versions;

    public ProxyVersion? InForce(string measureCode, DateOnly day) =>
        versions.Where(v => v.MeasureCode == measureCode && v.AppliesFrom <= day)
            .OrderByDescending(v => v.AppliesFrom).ThenByDescending(v => v.Version).FirstOrDefault();

    /// <summary>The newest version recorded, whatever day it applies from.</summary>
    public ProxyVersion? Latest(string measureCode) =>
        versions.Where(v => v.MeasureCode == measureCode).OrderByDescending(v => v.Version).FirstOrDefault();

    public IEnumerable<ProxyVersion> History(string measureCode) =>
        versions.Where(v => v.MeasureCode == measureCode).OrderByDescending(v => v.Version);

    public IEnumerable<string> Codes => versions.Select(v => v.MeasureCode).Distinct();
}
