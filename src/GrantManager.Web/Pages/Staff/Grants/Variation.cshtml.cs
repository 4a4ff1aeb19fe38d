using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Web.Workflows;

namespace GrantManager.Web.Pages.Staff.Grants;

/// <summary>A grant officer asks for a change to a grant for its holder (only a grant officer may: others are refused).</summary>
public sealed class VariationModel(GrantVariations variations, GrantDbContext db, WorkflowActors actors) : Shared.VariationFormPage(variations, db, actors)
{
    public override string BackUrl => $"/Staff/Applications/{Grant.ApplicationId}";
}
