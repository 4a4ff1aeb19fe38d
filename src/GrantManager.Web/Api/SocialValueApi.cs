using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.SocialValue;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using GrantManager.Core;

namespace GrantManager.Web.Api;

/// <summary>A fund's social value report, as the page and CSV give it, for grant officers and administrators.</summary>
public static class SocialValueApi
{
    public sealed record ProxyView(int Version, decimal PoundsPerUnit, string Unit, string Source, string Licence, int PriceYear,
        decimal DeadweightPercent, decimal AttributionPercent, DateOnly AppliesFrom, bool Illustrative);
    public sealed record UnitsView(string Measure, decimal Units);
    public sealed record MeasureView(string Code, string Name, decimal CommittedUnits, decimal AchievedUnits, ProxyView? Proxy,
        SocialValueFigure? Committed, SocialValueFigure? Achieved);
    public sealed record DistrictView(string District, int Grants, decimal Granted, SocialValueFigure Committed, SocialValueFigure Achieved, decimal? AchievedPerPound);
    public sealed record GrantValueView(int GrantId, string Reference, string Organisation, decimal Granted, IReadOnlyList<string> Districts,
        SocialValueFigure Committed, SocialValueFigure Achieved, decimal? AchievedPerPound, List<UnitsView> CountedNotValued);
    public sealed record QuarterView(DateOnly From, DateOnly To, decimal Granted, SocialValueFigure Achieved, List<UnitsView> CountedNotValued);
    public sealed record ReportView(int FundId, string FundCode, DateOnly AsAt, bool Illustrative, decimal Granted, SocialValueFigure Committed,
        SocialValueFigure Achieved, decimal? CommittedPerPound, decimal? AchievedPerPound, List<MeasureView> Measures, List<DistrictView> Districts,
        List<GrantValueView> Grants, List<QuarterView> Quarters);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/funds/{id:int}/social-value", async (int id, string? asAt, SocialValueReports reports, WorkflowActors actors, TimeProvider time, HttpContext http) =>
        {
            var actor = await actors.ForAsync(http.User);
            if (!actor.HasRole(Roles.GrantOfficer) && !actor.HasRole(Roles.Administrator))
                throw new ForbiddenException("The social value report is for grant officers and administrators");
            var today = UkTime.DayOf(time.GetUtcNow().UtcDateTime);
            var day = today;
            if (!string.IsNullOrEmpty(asAt) && (!DateOnly.TryParseExact(asAt, "yyyy-MM-dd", out day) || day.Year < 2000 || day > today))
                throw new InputException(new Dictionary<string, string[]> { ["asAt"] = ["Give the day as a date from 2000 to today, like 2027-06-30"] });
            var r = await reports.ForFundAsync(id, day) ?? throw new NotFoundException("No such fund");
            return TypedResults.Ok(View(r));
        }).WithName("FundSocialValue")
          .WithSummary("A fund's social value as at a day (today by default): committed against achieved, gross and net, by measure, district, grant and quarter");
    }

    private static List<UnitsView> Units(IEnumerable<(string Code, decimal Units)> units) => units.Select(u => new UnitsView(u.Code, u.Units)).ToList();

    public static ReportView View(SocialValueReport r) => new(r.Fund.Id, r.Fund.Code, r.AsAt, r.Illustrative, r.Granted, r.Committed, r.Achieved,
        r.CommittedPerPound, r.AchievedPerPound,
        r.Measures.Select(m => new MeasureView(m.Code, m.Name, m.CommittedUnits, m.AchievedUnits,
            m.Proxy is { } p ? new ProxyView(p.Version, p.PoundsPerUnit, p.Unit, p.Source, p.Licence, p.PriceYear, p.DeadweightPercent, p.AttributionPercent, p.AppliesFrom, p.Illustrative) : null,
            // A measure without a proxy is counted, not valued: no pounds rather than £0.
            m.Proxy is null ? null : m.Committed, m.Proxy is null ? null : m.Achieved)).ToList(),
        r.Districts.Select(d => new DistrictView(d.District, d.Grants, d.Granted, d.Committed, d.Achieved, d.AchievedPerPound)).ToList(),
        r.Grants.Select(g => new GrantValueView(g.GrantId, g.Reference, g.Organisation, g.Granted, g.Districts, g.Committed, g.Achieved, g.AchievedPerPound,
            Units(g.UnvaluedAchieved))).ToList(),
        r.Quarters.Select(q => new QuarterView(q.From, q.To, q.Granted, q.Achieved, Units(q.UnvaluedAchieved))).ToList());
}
