using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Staff.Applications;

/// <summary>The case file: one page with everything about an application and its grant, as far as the reader's role allows.</summary>
public sealed class CaseModel(GrantDbContext db, ApplicationService applications, AttachmentStore store, WorkflowRegistry registry, WorkflowActors actors) : PageModel
{
    public CaseFile Case { get; private set; } = null!;
    public ApplicationSummaryView Summary { get; private set; } = null!;
    public bool MustDeclare { get; private set; }
    /// <summary>Whether this reader may end the grant early (grant officers and administrators).</summary>
    public bool MayEnd { get; private set; }
    /// <summary>Changes people made to the application and its organisation outside the workflow (a draft's edits, a profile's updates).</summary>
    public List<Core.Audit.AuditLine> Changes { get; private set; } = [];
    /// <summary>The fund's outcome measures by code, for the grant's variations.</summary>
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public bool MayAskForChange { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var actor = await actors.ForAsync(User);
        try
        {
            Case = await CaseFile.LoadAsync(db, applications, store, registry, id, actor);
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ForbiddenException) when (actor.HasRole(Roles.Assessor))
        {
            // An assessor declares on the task first; the file opens once they have.
            MustDeclare = true;
            return Page();
        }
        catch (ForbiddenException) { return Forbid(); }
        MayEnd = Core.Grants.GrantClosureService.MayEnd(actor);
        if (Case.Grant is { } grant)
        {
            MeasureNames = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToDictionaryAsync(
                db.OutcomeMeasures.Where(m => m.FundId == grant.FundId), m => m.Code, m => m.Name);
            MayAskForChange = grant.Status == Core.Grants.GrantStatus.Active && Core.Grants.GrantVariations.MayAsk(actor, grant);
        }
        Summary = ApplicationSummaryView.From(Case.Application, headingLevel: 3) with { Documents = Case.Documents, ForStaff = true };
        Changes = (await Core.Audit.AuditTrail.ForSubjectAsync(db, "application", id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Concat(await Core.Audit.AuditTrail.ForSubjectAsync(db, "organisation", Case.Application.OrganisationId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .OrderByDescending(l => l.Id).ToList();
        return Page();
    }
}
