using GrantManager.Core.Applications;
using GrantManager.Web.Forms;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class ProjectModel(ApplicationService applications, WorkflowActors actors, TimeProvider time) : ApplicantPage(applications, actors)
{
    public DateOnly Today => Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);

    public sealed class ProjectInput
    {
        public string? ProjectTitle { get; set; }
        public string? ProjectSummary { get; set; }
        public string? Innovation { get; set; }
        public string? Beneficiaries { get; set; }
        public List<string> Districts { get; set; } = [];
        [DateInput("the start date", Example = "1 4 2027")] public GovUkDate Start { get; set; } = GovUkDate.Empty;
        [DateInput("the end date", Example = "31 3 2028")] public GovUkDate End { get; set; } = GovUkDate.Empty;
    }

    [BindProperty(Name = "Input")] public ProjectInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        var a = Application;
        Input = new ProjectInput
        {
            ProjectTitle = a.ProjectTitle, ProjectSummary = a.ProjectSummary, Innovation = a.Innovation, Beneficiaries = a.Beneficiaries,
            Districts = a.DistrictList.ToList(),
            Start = GovUkDate.Of(a.StartDate), End = GovUkDate.Of(a.EndDate),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        ModelState.Clear();
        var (start, end) = (Input.Start, Input.End);
        start.Report(ModelState, "Input.Start");
        end.Report(ModelState, "Input.End");
        var input = new ApplicationInput
        {
            ProjectTitle = Input.ProjectTitle ?? "", ProjectSummary = Input.ProjectSummary ?? "", Innovation = Input.Innovation ?? "",
            Beneficiaries = Input.Beneficiaries ?? "", Districts = Input.Districts, StartDate = start.Date, EndDate = end.Date,
        };
        var nothingTyped = new[] { Input.ProjectTitle, Input.ProjectSummary, Input.Innovation, Input.Beneficiaries }.All(string.IsNullOrWhiteSpace)
            && Input.Districts.Count == 0 && !start.Given && !end.Given;
        var nothingBefore = new[] { Application.ProjectTitle, Application.ProjectSummary, Application.Innovation, Application.Beneficiaries }.All(x => x is null)
            && Application.DistrictList.Count == 0 && Application.StartDate is null && Application.EndDate is null;
        if (nothingTyped && nothingBefore)
        {
            // Saving an empty page would change nothing and say nothing: tell the person instead.
            ModelState.AddModelError("Input.ProjectTitle", "Answer at least one question to save this page, starting with the project title, or go back to your application to answer later");
            return Page();
        }
        try
        {
            // Every field is checked at once, so every problem shows together.
            Applications.CheckDraft(Application, input);
        }
        catch (InputException e)
        {
            ModelState.AddServiceErrors(e, Field);
        }
        if (ModelState.IsValid)
        {
            try
            {
                await Applications.UpdateDraftAsync(id, Actor, input);
                TempData["Success"] = "Your project answers have been saved";
                return Redirect($"/Applicant/Applications/{id}");
            }
            catch (InputException e) { ModelState.AddServiceErrors(e, Field); }
        }
        // Keep the answers that have no problem, so nothing typed is lost if the person leaves now.
        var keep = new ApplicationInput
        {
            ProjectTitle = Ok("Input.ProjectTitle") ? input.ProjectTitle : null,
            ProjectSummary = Ok("Input.ProjectSummary") ? input.ProjectSummary : null,
            Innovation = Ok("Input.Innovation") ? input.Innovation : null,
            Beneficiaries = Ok("Input.Beneficiaries") ? input.Beneficiaries : null,
            Districts = Ok("Input.Districts") ? input.Districts : null,
            StartDate = DatesOk ? input.StartDate : null,
            EndDate = DatesOk ? input.EndDate : null,
        };
        try
        {
            await Applications.UpdateDraftAsync(id, Actor, keep);
            SavedTheRest = true;
        }
        catch (InputException) { }
        return Page();
    }

    /// <summary>The answers without problems were saved although the page has errors.</summary>
    public bool SavedTheRest { get; private set; }

    private bool DatesOk => Input.Start.Problem is null && Input.End.Problem is null && Ok("Input.StartDay") && Ok("Input.EndDay");

    private bool Ok(string key) => !ModelState.TryGetValue(key, out var entry) || entry.Errors.Count == 0;

    private static string Field(string key) => key switch
    {
        "startDate" => "Input.StartDay",
        "endDate" => "Input.EndDay",
        _ => ModelStateErrors.InputField(key),
    };
}
