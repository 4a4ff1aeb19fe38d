using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;

namespace GrantManager.Web.Pages.Applicant.Grants;

/// <summary>The grant holder asks for a change to their grant.</summary>
public sealed class VariationModel(GrantVariations variations, GrantDbContext db, WorkflowActors actors) : Shared.VariationFormPage(variations, db, actors)
{
    public override string BackUrl => $"/Applicant/Applications/{Grant.ApplicationId}";
}
