using GrantManager.Core.Applications;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class ProjectModel(ApplicationService applications, WorkflowActors actors) : ApplicantPage(applications, actors)
{
    public sealed class ProjectInput
    {
        public string? ProjectTitle { get; set; }
        public string? ProjectSummary { get; set; }
        public string? Innovation { get; set; }
        public string? Beneficiaries { get; set; }
        public List<string> Districts { get; set; } = [];
        public string? StartDay { get; set; }
        public string? StartMonth { get; set; }
        public string? StartYear { get; set; }
        public string? EndDay { get; set; }
        public string? EndMonth { get; set; }
        public string? EndYear { get; set; }
    }

    [BindProperty] public ProjectInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        var a = Application;
        Input = new ProjectInput
        {
            ProjectTitle = a.ProjectTitle, ProjectSummary = a.ProjectSummary, Innovation = a.Innovation, Beneficiaries = a.Beneficiaries,
            Districts = a.DistrictList.ToList(),
            StartDay = a.StartDate?.Day.ToString(), StartMonth = a.StartDate?.Month.ToString(), StartYear = a.StartDate?.Year.ToString(),
            EndDay = a.EndDate?.Day.ToString(), EndMonth = a.EndDate?.Month.ToString(), EndYear = a.EndDate?.Year.ToString(),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        var start = DateInputView.Parse(Input.StartDay, Input.StartMonth, Input.StartYear);
        var end = DateInputView.Parse(Input.EndDay, Input.EndMonth, Input.EndYear);
        if (start is { Given: true, Date: null }) ModelState.AddModelError("Input.StartDay", "The start date must be a real date, like 1 4 2027");
        if (end is { Given: true, Date: null }) ModelState.AddModelError("Input.EndDay", "The end date must be a real date, like 31 3 2028");
        if (!ModelState.IsValid) return Page();
        try
        {
            await Applications.UpdateDraftAsync(id, Actor, new ApplicationInput
            {
                ProjectTitle = Input.ProjectTitle ?? "", ProjectSummary = Input.ProjectSummary ?? "", Innovation = Input.Innovation ?? "",
                Beneficiaries = Input.Beneficiaries ?? "", Districts = Input.Districts, StartDate = start.Date, EndDate = end.Date,
            });
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (InputException e)
        {
            AddErrors(e, k => k switch { "startDate" => "Input.StartDay", "endDate" => "Input.EndDay", _ => $"Input.{Pascal(k)}" });
            return Page();
        }
    }
}
