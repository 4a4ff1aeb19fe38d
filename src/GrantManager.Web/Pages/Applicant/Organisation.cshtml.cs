using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Organisations;
using GrantManager.Web.Forms;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Applicant;

public sealed class OrganisationModel(GrantDbContext db, WorkflowActors actors) : PageModel
{
    public sealed class ProfileInput
    {
        public string? Name { get; set; }
        public OrganisationType? OrganisationType { get; set; }
        public string? CharityNumber { get; set; }
        public string? CompanyNumber { get; set; }
        public string? AddressLine1 { get; set; }
        public string? AddressLine2 { get; set; }
        public string? Town { get; set; }
        public string? Postcode { get; set; }
        public string? ContactName { get; set; }
        public string? ContactEmail { get; set; }
        public string? ContactPhone { get; set; }
    }

    [BindProperty(Name = "Input")] public ProfileInput Input { get; set; } = new();
    /// <summary>The application to go back to, when the profile was opened from its task list.</summary>
    [BindProperty(SupportsGet = true)] public int? Application { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var o = await OrganisationAsync();
        if (o is null) return NotFound();
        Input = new ProfileInput
        {
            Name = o.Name, OrganisationType = o.Type, CharityNumber = o.CharityNumber, CompanyNumber = o.CompanyNumber, AddressLine1 = o.AddressLine1,
            AddressLine2 = o.AddressLine2, Town = o.Town, Postcode = o.Postcode, ContactName = o.ContactName, ContactEmail = o.ContactEmail, ContactPhone = o.ContactPhone,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var o = await OrganisationAsync();
        if (o is null) return NotFound();
        ModelState.Clear();
        try
        {
            OrganisationProfile.Apply(o, new OrganisationInput(Input.Name, Input.OrganisationType, Input.CharityNumber, Input.CompanyNumber, Input.AddressLine1,
                Input.AddressLine2, Input.Town, Input.Postcode, Input.ContactName, Input.ContactEmail, Input.ContactPhone));
            await db.SaveChangesAsync();
            TempData["Success"] = "Your organisation's details have been saved";
            return Redirect(Application is int id ? $"/Applicant/Applications/{id}" : "/Applicant");
        }
        catch (InputException e)
        {
            ModelState.AddServiceErrors(e, k => k == "type" ? "Input.OrganisationType" : Forms.ModelStateErrors.InputField(k));
            return Page();
        }
    }

    private async Task<Organisation?> OrganisationAsync()
    {
        var actor = await actors.ForAsync(User);
        return actor.OrganisationId is int id ? await db.Organisations.FindAsync(id) : null;
    }
}
