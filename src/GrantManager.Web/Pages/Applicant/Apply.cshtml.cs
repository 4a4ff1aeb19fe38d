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
    [BindProperty(Name = "Input")] public EligibilityInput Input { get; set; } = new();
    public string FundName { get; private set; } = "";
    public string? Ineligible { get; private set; }

    /// <summary>Which answer ruled the application out, after the redirect.</summary>
    [BindProperty(SupportsGet = true, Name = "not")] public string? Not { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await FindFundAsync()) return NotFound();
        Ineligible = Not switch
        {
            "kent" => "The fund is for projects in Kent that benefit people who live here.",
            "community" => "The fund is only for voluntary and community groups, charities and community interest companies.",
            "length" => "Projects must finish within 12 months. You could apply for the first year of a longer project.",
            "wellbeing" => "The fund is for projects that support mental health and wellbeing.",
            _ => null,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await FindFundAsync()) return NotFound();
        if (!ModelState.IsValid) return Page();
        var reason = Input.InKent == false ? "kent" : Input.Community == false ? "community" : Input.TwelveMonths == false ? "length" : Input.Wellbeing == false ? "wellbeing" : null;
        // The answer is shown on a page of its own, so the browser's Back button returns to the questions.
        if (reason is not null) return Redirect($"/Applicant/Apply?fund={Fund}&not={reason}");
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
