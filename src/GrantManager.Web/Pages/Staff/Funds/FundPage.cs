using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Staff.Funds;

/// <summary>Fund reports show every grant's money and organisation: for those who look after grants, not assessors.</summary>
public abstract class FundReportPage(WorkflowActors actors) : PageModel
{
    protected Task<Core.Workflows.Actor> ActorAsync() => actors.ForAsync(User);

    protected async Task<bool> MaySeeAsync() => ReturnService.SeesAllGrants(await ActorAsync());
}
