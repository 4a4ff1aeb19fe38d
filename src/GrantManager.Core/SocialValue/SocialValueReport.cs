using System.Globalization;
using System.Text;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.SocialValue;

/// <summary>One measure across the fund: units committed (targets) and achieved (accepted returns), valued when it has a proxy.</summary>
public sealed record MeasureValue(string Code, string Name, string Unit, decimal CommittedUnits, decimal AchievedUnits, ProxyVersion? Proxy,
    SocialValueFigure Committed, SocialValueFigure Achieved);

/// <summary>One measure in one district; a grant serving several districts is shared equally among them.</summary>
public sealed record DistrictMeasureValue(string District, string Code, string Name, decimal CommittedUnits, decimal AchievedUnits, bool Valued,
    SocialValueFigure Committed, SocialValueFigure Achieved);

public sealed record DistrictValue(string District, int Grants, decimal Granted, SocialValueFigure Committed, SocialValueFigure Achieved)
{
    public decimal? AchievedPerPound => SocialValueReport.PerPound(Achieved.Net, Granted);
}

public sealed record GrantValue(int GrantId, string Reference, string Organisation, decimal Granted, IReadOnlyList<string> Districts,
    SocialValueFigure Committed, SocialValueFigure Achieved, IReadOnlyList<(string Code, decimal Units)> UnvaluedAchieved)
{
    public decimal? AchievedPerPound => SocialValueReport.PerPound(Achieved.Net, Granted);
}

/// <summary>What the fund's accepted returns added in one quarter, valued with the proxies in force on its last day.</summary>
public sealed record QuarterValue(DateOnly From, DateOnly To, decimal Granted, SocialValueFigure Achieved, IReadOnlyList<(string Code, decimal Units)> UnvaluedAchieved);

/// <summary>A fund's social value for the council's periodic reporting: committed against achieved, by measure, district, grant and quarter.</summary>
public sealed record SocialValueReport(Fund Fund, DateOnly AsAt, List<MeasureValue> Measures, List<DistrictValue> Districts,
    List<DistrictMeasureValue> ByDistrict, List<GrantValue> Grants, List<QuarterValue> Quarters, string? IllustrativeNotice)
{
    public decimal Granted => Grants.Sum(g => g.Granted);
    public SocialValueFigure Committed => Measures.Aggregate(default(SocialValueFigure), (s, m) => s + m.Committed);
    public SocialValueFigure Achieved => Measures.Aggregate(default(SocialValueFigure), (s, m) => s + m.Achieved);
    public decimal? CommittedPerPound => PerPound(Committed.Net, Granted);
    public decimal? AchievedPerPound => PerPound(Achieved.Net, Granted);
    /// <summary>Whether a shipped placeholder proxy values any of the figures, so they are illustrative.</summary>
    public bool Illustrative => Measures.Any(m => m.Proxy?.Illustrative == true && (m.CommittedUnits != 0 || m.AchievedUnits != 0));

    /// <summary>£ of net social value for each £1 granted, to the penny; none when nothing was granted.</summary>
    public static decimal? PerPound(decimal value, decimal granted) => granted > 0 ? decimal.Round(value / granted, 2, MidpointRounding.AwayFromZero) : null;
}

/// <summary>
/// Works out a fund's social value from the grants' targets and accepted returns. Returns report figures to
/// date, so a grant's achievement is its latest accepted return's figures, and a quarter's is the growth in them.
/// </summary>
public sealed class SocialValueReports(GrantDbContext db, SocialValueProxies proxies, ShippedProxies shipped)
{
    public const string NotStated = "Not stated";

    /// <param name="asAt">The day the report is for: returns accepted by the end of it count, valued with the proxies in force on it.</param>
    /// <param name="breakdown">False for the totals alone (the dashboard's summary): the by-district and by-quarter figures are left empty.</param>
    public async Task<SocialValueReport?> ForFundAsync(int fundId, DateOnly asAt, bool breakdown = true, CancellationToken ct = default)
    {
        var fund = await db.Funds.AsNoTracking().Include(f => f.Measures).SingleOrDefaultAsync(f => f.Id == fundId, ct);
        if (fund is null) return null;
        var end = UkTime.StartOfDay(asAt.AddDays(1));
        var book = await proxies.BookAsync(ct);
        var grants = await db.Grants.AsNoTracking().Include(g => g.Targets).Where(g => g.FundId == fundId && g.AwardedAt < end)
            .OrderBy(g => g.AwardedAt).ThenBy(g => g.Id).ToListAsync(ct);
        var applicationIds = grants.Select(g => g.ApplicationId).ToList();
        var districtsOf = await db.Applications.AsNoTracking().Where(a => applicationIds.Contains(a.Id)).Select(a => new { a.Id, a.Districts })
            .ToDictionaryAsync(a => a.Id, a => a.Districts, ct);
        var organisationIds = grants.Select(g => g.OrganisationId).Distinct().ToList();
        var organisations = await db.Organisations.AsNoTracking().Where(o => organisationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        var grantIds = grants.Select(g => g.Id).ToList();
        var accepted = await db.Set<MonitoringReturn>().AsNoTracking().Include(r => r.Actuals)
            .Where(r => grantIds.Contains(r.GrantId) && r.AcceptedAt != null && r.AcceptedAt < end).ToListAsync(ct);

        var acceptedByGrant = accepted.ToLookup(r => r.GrantId);
        Dictionary<string, decimal> ToDate(int grantId, DateTime before) =>
            acceptedByGrant[grantId].Where(r => r.AcceptedAt < before).OrderByDescending(r => r.AcceptedAt).ThenByDescending(r => r.Sequence)
                .FirstOrDefault()?.Actuals.GroupBy(a => a.MeasureCode).ToDictionary(a => a.Key, a => a.Sum(x => x.Actual ?? 0)) ?? [];

        var measures = fund.Measures.OrderBy(m => m.Order).ToList();
        var names = measures.ToDictionary(m => m.Code, m => m.Name);
        SocialValueFigure Value(string code, decimal units, DateOnly day) => book.InForce(code, day)?.Value(units) ?? default;

        var grantValues = new List<GrantValue>();
        var perGrantUnits = new List<(Grant Grant, string[] Districts, Dictionary<string, decimal> Targets, Dictionary<string, decimal> Actuals)>();
        foreach (var g in grants)
        {
            var districts = districtsOf.GetValueOrDefault(g.ApplicationId, "").Split('|', StringSplitOptions.RemoveEmptyEntries);
            if (districts.Length == 0) districts = [NotStated];
            var targets = g.Targets.GroupBy(t => t.MeasureCode).ToDictionary(t => t.Key, t => t.Sum(x => x.Target));
            var actuals = ToDate(g.Id, end);
            perGrantUnits.Add((g, districts, targets, actuals));
            var committed = targets.Aggregate(default(SocialValueFigure), (s, t) => s + Value(t.Key, t.Value, asAt));
            var achieved = actuals.Aggregate(default(SocialValueFigure), (s, a) => s + Value(a.Key, a.Value, asAt));
            var unvalued = actuals.Where(a => book.InForce(a.Key, asAt) is null && a.Value != 0).Select(a => (a.Key, a.Value)).OrderBy(a => a.Key).ToList();
            grantValues.Add(new GrantValue(g.Id, g.Reference, organisations.GetValueOrDefault(g.OrganisationId, ""), g.Amount, districts, committed, achieved, unvalued));
        }

        // Each measure of the fund, and any other code a grant reports against.
        var codes = measures.Select(m => m.Code)
            .Concat(perGrantUnits.SelectMany(p => p.Targets.Keys.Concat(p.Actuals.Keys)).Distinct().Where(c => !names.ContainsKey(c)).Order()).ToList();
        var measureValues = codes.Select(code =>
        {
            var committedUnits = perGrantUnits.Sum(p => p.Targets.GetValueOrDefault(code));
            var achievedUnits = perGrantUnits.Sum(p => p.Actuals.GetValueOrDefault(code));
            var m = measures.FirstOrDefault(x => x.Code == code);
            // The fund's figure is the sum of each grant's, each rounded to the penny: the same pounds as the grant table.
            return new MeasureValue(code, m?.Name ?? code, m?.Unit ?? "", committedUnits, achievedUnits, book.InForce(code, asAt),
                perGrantUnits.Aggregate(default(SocialValueFigure), (s, p) => s + Value(code, p.Targets.GetValueOrDefault(code), asAt)),
                perGrantUnits.Aggregate(default(SocialValueFigure), (s, p) => s + Value(code, p.Actuals.GetValueOrDefault(code), asAt)));
        }).Where(m => m.CommittedUnits != 0 || m.AchievedUnits != 0 || names.ContainsKey(m.Code)).ToList();

        if (!breakdown)
        {
            var totals = new SocialValueReport(fund, asAt, measureValues, [], [], grantValues, [], null);
            return totals.Illustrative ? totals with { IllustrativeNotice = shipped.Notice ?? "These figures use illustrative proxy values, not the council's own." } : totals;
        }

        // By district: a grant serving several districts has its units, pounds and value shared equally among them.
        var shares = perGrantUnits.SelectMany(p => p.Districts.Select(d => (District: d, p.Grant, Share: 1m / p.Districts.Length, p.Targets, p.Actuals))).ToList();
        var byDistrict = shares.GroupBy(s => s.District).OrderBy(d => d.Key == NotStated).ThenBy(d => d.Key).SelectMany(d => codes
                .Select(code => new DistrictMeasureValue(d.Key, code, names.GetValueOrDefault(code, code),
                    d.Sum(s => s.Targets.GetValueOrDefault(code) * s.Share), d.Sum(s => s.Actuals.GetValueOrDefault(code) * s.Share),
                    book.InForce(code, asAt) is not null,
                    d.Aggregate(default(SocialValueFigure), (sum, s) => sum + Share(Value(code, s.Targets.GetValueOrDefault(code), asAt), s.Share)),
                    d.Aggregate(default(SocialValueFigure), (sum, s) => sum + Share(Value(code, s.Actuals.GetValueOrDefault(code), asAt), s.Share))))
                .Where(x => x.CommittedUnits != 0 || x.AchievedUnits != 0))
            .ToList();
        var districtTotals = shares.GroupBy(s => s.District).OrderBy(d => d.Key == NotStated).ThenBy(d => d.Key).Select(d => new DistrictValue(d.Key, d.Count(),
                d.Sum(s => decimal.Round(s.Grant.Amount * s.Share, 2, MidpointRounding.AwayFromZero)),
                byDistrict.Where(x => x.District == d.Key).Aggregate(default(SocialValueFigure), (s, x) => s + x.Committed),
                byDistrict.Where(x => x.District == d.Key).Aggregate(default(SocialValueFigure), (s, x) => s + x.Achieved)))
            .ToList();

        // Quarters from the first award to the report's day: the growth in each grant's accepted figures over the quarter.
        var quarters = new List<QuarterValue>();
        if (grants.Count > 0)
        {
            var from = QuarterStart(UkTime.DayOf(grants[0].AwardedAt));
            for (; from <= asAt; from = from.AddMonths(3))
            {
                var to = from.AddMonths(3).AddDays(-1);
                var (qStart, qEnd) = (UkTime.StartOfDay(from), UkTime.StartOfDay((to < asAt ? to : asAt).AddDays(1)));
                var growth = default(SocialValueFigure);
                var unvalued = new Dictionary<string, decimal>();
                foreach (var g in grants.Where(g => g.AwardedAt < qEnd))
                {
                    var (before, after) = (ToDate(g.Id, qStart), ToDate(g.Id, qEnd));
                    foreach (var code in after.Keys.Union(before.Keys))
                    {
                        var units = after.GetValueOrDefault(code) - before.GetValueOrDefault(code);
                        if (units == 0) continue;
                        if (book.InForce(code, to) is { } proxy) growth += proxy.Value(units);
                        else unvalued[code] = unvalued.GetValueOrDefault(code) + units;
                    }
                }
                quarters.Add(new QuarterValue(from, to, grants.Where(g => g.AwardedAt >= qStart && g.AwardedAt < qEnd).Sum(g => g.Amount), growth,
                    unvalued.OrderBy(u => u.Key).Select(u => (u.Key, u.Value)).ToList()));
            }
        }

        var report = new SocialValueReport(fund, asAt, measureValues, districtTotals, byDistrict, grantValues, quarters, null);
        return report.Illustrative ? report with { IllustrativeNotice = shipped.Notice ?? "These figures use illustrative proxy values, not the council's own." } : report;
    }

    private static DateOnly QuarterStart(DateOnly day) => new(day.Year, (day.Month - 1) / 3 * 3 + 1, 1);

    private static SocialValueFigure Share(SocialValueFigure f, decimal share) => share == 1 ? f
        : new(decimal.Round(f.Gross * share, 2, MidpointRounding.AwayFromZero), decimal.Round(f.Net * share, 2, MidpointRounding.AwayFromZero));

    /// <summary>The report as CSV, one section after another, each row saying which it belongs to; text cells cannot run as formulas.</summary>
    public static string Csv(SocialValueReport r)
    {
        var s = new StringBuilder();
        void Row(params object?[] cells) => s.Append(string.Join(',', cells.Select(c => OpenData.Csv.Cell(c switch
        {
            null => "",
            decimal d => d.ToString("0.##", CultureInfo.InvariantCulture),
            _ => Convert.ToString(c, CultureInfo.InvariantCulture),
        })))).Append("\r\n");
        Row("Section", "Measure or grant", "District", "Unit", "Committed (units)", "Achieved (units)", "£ per unit", "Proxy version", "Deadweight %", "Attribution %",
            "Committed gross (£)", "Committed net (£)", "Achieved gross (£)", "Achieved net (£)", "Granted (£)", "Achieved net £ per £ granted", "Illustrative proxy");
        foreach (var m in r.Measures)
        {
            var p = m.Proxy;
            Row("Measure", m.Code, null, p?.Unit ?? m.Unit, m.CommittedUnits, m.AchievedUnits, p?.PoundsPerUnit, p is null ? "No proxy: counted, not valued" : $"{p.Version} from {p.AppliesFrom:yyyy-MM-dd}",
                p?.DeadweightPercent, p?.AttributionPercent, Pounds(p, m.Committed.Gross), Pounds(p, m.Committed.Net), Pounds(p, m.Achieved.Gross), Pounds(p, m.Achieved.Net),
                null, null, p is null ? null : p.Illustrative ? "Yes" : "No");
        }
        foreach (var d in r.ByDistrict)
            Row("District and measure", d.Code, d.District, null, decimal.Round(d.CommittedUnits, 2), decimal.Round(d.AchievedUnits, 2), null, d.Valued ? null : "No proxy: counted, not valued",
                null, null, d.Valued ? d.Committed.Gross : null, d.Valued ? d.Committed.Net : null, d.Valued ? d.Achieved.Gross : null, d.Valued ? d.Achieved.Net : null, null, null, null);
        foreach (var d in r.Districts)
            Row("District", null, d.District, null, null, null, null, null, null, null, d.Committed.Gross, d.Committed.Net, d.Achieved.Gross, d.Achieved.Net, d.Granted, d.AchievedPerPound, null);
        foreach (var g in r.Grants)
            Row("Grant", $"{g.Reference} {g.Organisation}", string.Join("; ", g.Districts), null, null, null, null, null, null, null,
                g.Committed.Gross, g.Committed.Net, g.Achieved.Gross, g.Achieved.Net, g.Granted, g.AchievedPerPound, null);
        foreach (var q in r.Quarters)
            Row("Quarter", $"{q.From:yyyy-MM-dd} to {q.To:yyyy-MM-dd}", null, null, null, null, null, null, null, null, null, null, q.Achieved.Gross, q.Achieved.Net, q.Granted, null, null);
        Row("Total", r.Fund.Code, null, null, null, null, null, null, null, null, r.Committed.Gross, r.Committed.Net, r.Achieved.Gross, r.Achieved.Net, r.Granted, r.AchievedPerPound,
            r.Illustrative ? "Yes" : "No");
        return s.ToString();
    }

    private static decimal? Pounds(ProxyVersion? proxy, decimal value) => proxy is null ? null : value;
}
