using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Api;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>A draft's task list, or a submitted application's status, progress and the applicant's own tasks.</summary>
public sealed class IndexModel(GrantDbContext db, ApplicationService applications, WorkflowRuntime runtime, WorkflowActors actors, WorkflowRegistry registry, AttachmentStore store)
    : ApplicantPage(applications, actors)
{
    public sealed class RespondInput
    {
        public string? Outcome { get; set; }
        public string? Comment { get; set; }
    }

    [BindProperty] public RespondInput Input { get; set; } = new();
    [BindProperty] public string? WithdrawReason { get; set; }
    public string Status { get; private set; } = "";
    public string StatusTag => Status switch
    {
        "awarded" or "approved" => "govuk-tag--green", "rejected" or "declined" or "withdrawn" => "govuk-tag--red", _ => "govuk-tag--blue",
    };
    public string? StageTitle { get; private set; }
    public List<InboxTask> MyTasks { get; private set; } = [];
    public List<ApplicationsApi.HistoryView> Stages { get; private set; } = [];
    public bool CanWithdraw { get; private set; }
    public string ProjectStatus { get; private set; } = "";
    public string BudgetStatus { get; private set; } = "";
    public bool ReadyToSubmit { get; private set; }
    public List<Attachment> Documents { get; private set; } = [];
    public Core.Grants.Grant? Grant { get; private set; }
    public List<Core.Grants.MonitoringReturn> Returns { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id) => await PrepareAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRespondAsync(int id, long task)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            var mine = await db.InboxTasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == task && t.InstanceId == Application.WorkflowInstanceId);
            if (mine is null) return NotFound();
            if (mine.OutcomeList.Count == 1 && string.IsNullOrWhiteSpace(Input.Comment))
                ModelState.AddModelError("Input.Comment", "Enter your answer");
            else
            {
                await Applications.CompleteTaskAsync(task, Actor, Input.Outcome, Input.Comment, null);
                TempData["Success"] = Input.Outcome switch
                {
                    "accept" => "Thank you for accepting the offer. Your grant is confirmed",
                    "decline" => "You have declined the offer",
                    _ => "Thank you. We have your answer and will carry on with your application",
                };
                return RedirectToPage(new { id });
            }
        }
        catch (InputException e) { AddErrors(e, k => $"Input.{Pascal(k)}"); }
        catch (WorkflowException e) { ModelState.AddModelError("", e.Message); }
        return await PrepareAsync(id) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostWithdrawAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            await Applications.WithdrawAsync(id, Actor, string.IsNullOrWhiteSpace(WithdrawReason) ? null : WithdrawReason.Trim());
            TempData["Success"] = "Your application has been withdrawn";
            return RedirectToPage(new { id });
        }
        catch (WorkflowException e) { ModelState.AddModelError("", e.Message); }
        return await PrepareAsync(id) ? Page() : NotFound();
    }

    private async Task<bool> PrepareAsync(int id)
    {
        if (!await LoadAsync(id)) return false;
        var a = Application;
        ProjectStatus = new[] { a.ProjectTitle, a.ProjectSummary, a.Innovation, a.Beneficiaries }.All(x => x is not null) && a.DistrictList.Count > 0 && a.StartDate is not null && a.EndDate is not null
            ? "Completed" : a.ProjectTitle is null && a.ProjectSummary is null ? "Not yet started" : "In progress";
        BudgetStatus = a.Budget.Count > 0 && a.AmountRequested == a.Budget.Sum(l => l.Amount) ? "Completed" : a.AmountRequested is null && a.Budget.Count == 0 ? "Not yet started" : "In progress";
        ReadyToSubmit = Applications.IsReadyToSubmit(a);
        Documents = await store.ForApplicationAsync(id);
        if (a.WorkflowInstanceId is not Guid instanceId) return true;

        var view = await ApplicationsApi.ViewAsync(db, registry, a, Actor);
        Status = view.Status;
        StageTitle = view.StageTitle;
        Stages = view.History;
        MyTasks = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Status == InboxTaskStatus.Open && t.Role == Roles.Applicant).ToListAsync();
        CanWithdraw = (await runtime.AvailableActionsAsync(instanceId, Actor)).Any(t => t.Trigger == "withdraw");
        Grant = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).SingleOrDefaultAsync(g => g.ApplicationId == id);
        if (Grant is not null)
            Returns = await db.Set<Core.Grants.MonitoringReturn>().AsNoTracking().Where(r => r.GrantId == Grant.Id).OrderBy(r => r.Sequence).ToListAsync();
        return true;
    }
}
