using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>A fund at a glance: money, where it went, returns, and outcomes and social value against the targets.</summary>
public sealed class DashboardModel(FundReports reports, FundTimeline timeline, FundPipelines pipelines, Core.Funds.RoundBudgets budgets, Core.SocialValue.SocialValueReports socialValue, WorkflowActors actors, TimeProvider time) : FundReportPage(actors)
{
    public FundDashboard Dashboard { get; private set; } = null!;
    public Core.SocialValue.SocialValueTotals SocialValue { get; private set; } = null!;
    public FundPipeline Pipeline { get; private set; } = null!;
    /// <summary>Each round's budget, what is committed against it (grants and offers waiting for an answer) and what is left.</summary>
    public List<Core.Funds.RoundBudget> RoundBudgets { get; private set; } = [];
    /// <summary>What the fund's offers waiting for an answer would commit: left to award is the budget less grants and these, as each round's is.</summary>
    public decimal Offered => RoundBudgets.Sum(b => b.Offered);
    /// <summary>Committed and paid, quarter by quarter, with running totals against the budget.</summary>
    public List<QuarterMoney> Quarters { get; private set; } = [];
    /// <summary>Which applications the counts are of, for someone whose register shows only some of the fund's (null: every one).</summary>
    public string? ApplicationsCounted { get; private set; }

    /// <summary>The applications register filtered to exactly what a figure counts.</summary>
    public string Applications(params (string Key, string? Value)[] filter) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Staff/Applications",
            filter.Prepend((Key: "fundId", Value: (string?)Dashboard.Fund.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));

    /// <summary>The grants register filtered to exactly what a figure counts.</summary>
    public string Grants(params (string Key, string? Value)[] filter) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Staff/Grants",
            filter.Prepend((Key: "fundId", Value: (string?)Dashboard.Fund.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));

    /// <summary>A bar's length: the share of the whole, 0 to 100.</summary>
    public static int Percent(decimal part, decimal whole) => whole <= 0 ? 0 : (int)Math.Clamp(decimal.Round(part * 100 / whole), 0, 100);

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var actor = await ActorAsync();
        if (!Core.Monitoring.ReturnService.SeesAllGrants(actor)) return Forbid();
        var dashboard = await reports.DashboardAsync(id, time.GetUtcNow().UtcDateTime);
        if (dashboard is null) return NotFound();
        Dashboard = dashboard;
        Pipeline = await pipelines.ForFundAsync(id, actor);
        ApplicationsCounted = Core.Applications.ApplicationRegister.SeesEveryApplication(actor) ? null
            : (actor.HasRole(Core.Data.Roles.PanelMember), actor.HasRole(Core.Data.Roles.FinanceOfficer)) switch
            {
                (true, true) => "those that have come to the panel or became grants",
                (true, false) => "those that have come to the panel",
                _ => "those that became grants",
            };
        RoundBudgets = await budgets.ForFundAsync(id);
        Quarters = await timeline.QuartersAsync(id, time.GetUtcNow().UtcDateTime);
        // The totals alone: the breakdown by measure, district, grant and quarter is the social value report's.
        SocialValue = (await socialValue.TotalsAsync(id, Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime)))!;
        return Page();
    }
}
