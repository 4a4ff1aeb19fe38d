using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>The offer letter, printable: the terms the grant will have on acceptance.</summary>
public sealed class OfferModel(GrantDbContext db, ApplicationService applications, WorkflowActors actors, Core.Monitoring.MonitoringSchedules schedules,
    TimeProvider clock, IOptions<Core.Configuration.CouncilOptions> council) : ApplicantPage(applications, actors)
{
    public Core.Grants.GrantTerms Terms { get; private set; } = null!;
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public DateTime OfferedAt { get; private set; }
    /// <summary>The approved variations, in order: the letter's numbered amendments.</summary>
    public List<string> Amendments { get; private set; } = [];
    public string Council => council.Value.Name;
    public string ContactEmail => council.Value.ContactEmail;

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id) || Application.WorkflowInstanceId is not Guid instanceId) return NotFound();
        var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == instanceId);
        // Only an application that was offered a grant has an offer letter.
        var offered = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Role == Roles.Applicant && t.Outcomes.Contains("accept"))
            .OrderByDescending(t => t.Id).FirstOrDefaultAsync();
        if (offered is null) return NotFound();
        OfferedAt = offered.CreatedAt;
        Terms = Core.Grants.GrantTerms.For(Application, instance.Data, schedules.For(Application.Fund!.Code), offered.CompletedAt ?? clock.GetUtcNow().UtcDateTime);
        MeasureNames = Application.Fund.Measures.ToDictionary(m => m.Code, m => m.Name);
        Amendments = (await db.Set<Core.Grants.GrantVariation>().AsNoTracking()
                .Where(v => v.Status == Core.Grants.VariationStatus.Approved && db.Grants.Any(g => g.Id == v.GrantId && g.ApplicationId == id))
                .OrderBy(v => v.Amendment).ToListAsync())
            .Select(v => Core.Grants.VariationWords.Amendment(v, MeasureNames)).ToList();
        return Page();
    }
}
