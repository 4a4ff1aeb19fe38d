using System.ComponentModel.DataAnnotations;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant;

/// <summary>Eligibility questions first: a "no" stops here with the reason; all "yes" starts a draft.</summary>
public sealed class ApplyModel(GrantDbContext db, ApplicationService applications, WorkflowActors actors) : PageModel
{
    public sealed class EligibilityInput
    {
        [Required(ErrorMessage = "Say whether the project will take place in Kent")] public bool? InKent { get; set; }
        [Required(ErrorMessage = "Say whether your organisation is a voluntary or community group, charity or CIC")] public bool? Community { get; set; }
        [Required(ErrorMessage = "Say whether the project will finish within 12 months")] public bool? TwelveMonths { get; set; }
        [Required(ErrorMessage = "Say whether the project is about mental health and wellbeing")] public bool? Wellbeing { get; set; }
    }

    [BindProperty(SupportsGet = true)] public int Fund { get; set; }
    [BindProperty] public EligibilityInput Input { get; set; } = new();
    public string FundName { get; private set; } = "";
    public string? Ineligible { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await FindFundAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await FindFundAsync()) return NotFound();
        if (!ModelState.IsValid) return Page();
        Ineligible = Input.InKent == false ? "The fund is for projects in Kent that benefit people who live here."
            : Input.Community == false ? "The fund is only for voluntary and community groups, charities and community interest companies."
            : Input.TwelveMonths == false ? "Projects must finish within 12 months. You could apply for the first year of a longer project."
            : Input.Wellbeing == false ? "The fund is for projects that support mental health and wellbeing."
            : null;
        if (Ineligible is not null) return Page();
        try
        {
            var application = await applications.StartOrResumeDraftAsync(await actors.ForAsync(User), Fund);
            TempData["Success"] = $"Your application {application.Reference} has been started. You can save and come back at any time";
            return Redirect($"/Applicant/Applications/{application.Id}");
        }
        catch (InputException e)
        {
            Ineligible = e.Errors.Values.First()[0];
            return Page();
        }
    }

    private async Task<bool> FindFundAsync()
    {
        FundName = await db.Funds.Where(f => f.Id == Fund).Select(f => f.Name).SingleOrDefaultAsync() ?? "";
        return FundName.Length > 0;
    }
}
