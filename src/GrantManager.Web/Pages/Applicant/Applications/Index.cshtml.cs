using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>A draft's task list, or a submitted application's status, progress and the applicant's own tasks.</summary>
[RequestFormLimits(MultipartBodyLengthLimit = 110 * 1024 * 1024)]
[RequestSizeLimit(110 * 1024 * 1024)]
public sealed class IndexModel(GrantDbContext db, ApplicationService applications, Core.Tasks.TaskService tasks, WorkflowRuntime runtime, WorkflowActors actors, WorkflowRegistry registry, AttachmentStore store,
    Core.Monitoring.MonitoringSchedules schedules, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Core.Configuration.CouncilOptions> council,
    Microsoft.Extensions.Options.IOptions<AttachmentOptions> attachmentOptions)
    : ApplicantPage(applications, actors)
{
    public sealed class RespondInput
    {
        public string? Outcome { get; set; }
        public string? Comment { get; set; }
    }

    [BindProperty(Name = "Input")] public RespondInput Input { get; set; } = new();
    /// <summary>A document for the answer to a request for more information.</summary>
    [BindProperty] public IFormFile? Upload { get; set; }
    public string ContactEmail => council.Value.ContactEmail;
    public int MaxMegabytes => attachmentOptions.Value.MaxMegabytes;
    /// <summary>What the grants team told the applicant, and each request for information with its answer.</summary>
    public InformationRequests? Information { get; private set; }
    /// <summary>The offer as the grant will be on acceptance, while the applicant can accept or decline it.</summary>
    public Core.Grants.GrantTerms? Offer { get; private set; }
    public Dictionary<string, string> MeasureNames { get; private set; } = new();
    public string Status { get; private set; } = "";
    public string StatusTag => Status switch
    {
        "awarded" or "approved" => "govuk-tag--green", "rejected" or "declined" or "withdrawn" => "govuk-tag--red", _ => "govuk-tag--blue",
    };
    public string? StageTitle { get; private set; }
    public List<InboxTask> MyTasks { get; private set; } = [];
    public List<HistoryView> Stages { get; private set; } = [];
    public bool CanWithdraw { get; private set; }
    public string ProjectStatus { get; private set; } = "";
    public string BudgetStatus { get; private set; } = "";
    public bool ReadyToSubmit { get; private set; }
    public List<Attachment> Documents { get; private set; } = [];
    public Core.Grants.Grant? Grant { get; private set; }
    public List<Core.Monitoring.MonitoringReturn> Returns { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id) => await PrepareAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRespondAsync(int id, long task)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            var mine = await db.InboxTasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == task && t.InstanceId == Application.WorkflowInstanceId);
            if (mine is null) return NotFound();
            ModelState.Clear();
            var documents = new List<Guid>();
            if (mine.OutcomeList.Count == 1)
            {
                // A document chosen with the answer is kept even when the answer itself still needs work.
                await AddUploadAsync(id);
                if (string.IsNullOrWhiteSpace(Input.Comment)) ModelState.AddModelError("Input.Comment", "Enter your answer");
                documents = (await InformationRequests.LoadAsync(db, store, id, Application.WorkflowInstanceId!.Value)).Waiting.Select(d => d.Id).ToList();
            }
            if (ModelState.IsValid)
            {
                await tasks.CompleteAsync(task, Actor, new TaskCompletion(Input.Outcome, Input.Comment) { Documents = documents });
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
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return await PrepareAsync(id) ? Page() : NotFound();
    }

    /// <summary>Adds a document to the answer being written, keeping what was typed.</summary>
    public async Task<IActionResult> OnPostAddDocumentAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        ModelState.Clear();
        if (Upload is null || Upload.Length == 0) ModelState.AddModelError("Upload", "Choose a file to add");
        else if (await AddUploadAsync(id) is { } added) TempData["Success"] = $"{added.FileName} has been added to your answer";
        return await PrepareAsync(id) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostRemoveDocumentAsync(int id, Guid document)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            var sent = Application.WorkflowInstanceId is Guid instance
                ? (await InformationRequests.LoadAsync(db, store, id, instance)).Exchanges.SelectMany(e => e.Documents).Select(d => d.Id).ToList() : [];
            await store.RemoveInformationAsync(document, Actor, sent);
            TempData["Success"] = "The document has been removed from your answer";
        }
        catch (NotFoundException) { return NotFound(); }
        catch (RefusedException e) { TempData["Success"] = e.Message; }
        return RedirectToPage(new { id });
    }

    private async Task<Attachment?> AddUploadAsync(int id)
    {
        if (Upload is null || Upload.Length == 0) return null;
        try
        {
            await using var content = Upload.OpenReadStream();
            return await store.AddInformationAsync(id, Actor, Upload.FileName, Upload.Length, content);
        }
        catch (InputException e) { AddErrors(e, _ => "Upload"); }
        catch (RefusedException e) { ModelState.AddModelError("Upload", e.Message); }
        return null;
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

        var view = await ApplicationView.ForAsync(db, registry, a, Actor);
        Status = view.Status;
        StageTitle = view.StageTitle;
        Stages = view.History;
        MyTasks = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Status == InboxTaskStatus.Open && t.Role == Roles.Applicant).ToListAsync();
        CanWithdraw = (await runtime.AvailableActionsAsync(instanceId, Actor)).Any(t => t.Trigger == "withdraw");
        Information = await InformationRequests.LoadAsync(db, store, id, instanceId);
        MeasureNames = a.Fund!.Measures.ToDictionary(m => m.Code, m => m.Name);
        if (MyTasks.Any(t => t.OutcomeList.Contains("accept")))
        {
            var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == instanceId);
            Offer = Core.Grants.GrantTerms.For(a, instance.Data, schedules.For(a.Fund.Code), clock.GetUtcNow().UtcDateTime);
        }
        Grant = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Targets).Include(g => g.ConditionList).Include(g => g.Variations).SingleOrDefaultAsync(g => g.ApplicationId == id);
        if (Grant is not null)
            Returns = await db.Set<Core.Monitoring.MonitoringReturn>().AsNoTracking().Where(r => r.GrantId == Grant.Id).OrderBy(r => r.Sequence).ToListAsync();
        return true;
    }
}
