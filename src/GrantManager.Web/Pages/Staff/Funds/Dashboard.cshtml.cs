using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>A fund at a glance: money, where it went, returns, and outcomes and social value against the targets.</summary>
public sealed class DashboardModel(FundReports reports, Core.SocialValue.SocialValueReports socialValue, WorkflowActors actors, TimeProvider time) : FundReportPage(actors)
{
    public FundDashboard Dashboard { get; private set; } = null!;
    public Core.SocialValue.SocialValueReport SocialValue { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await MaySeeAsync()) return Forbid();
        var dashboard = await reports.DashboardAsync(id, time.GetUtcNow().UtcDateTime);
        if (dashboard is null) return NotFound();
        Dashboard = dashboard;
        SocialValue = (await socialValue.ForFundAsync(id, Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime)))!;
        return Page();
    }
}
