using GrantManager.Core.Applications;
using GrantManager.Core.Cases;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Funds;
using GrantManager.Core.Tasks;
using GrantManager.Core.Workflows;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Staff.Tasks;

/// <summary>One task: the application (once any conflict of interest is declared), its history and emails, and the form for the outcome.</summary>
public sealed class TaskModel(GrantDbContext db, WorkflowRuntime runtime, StaffTasks staffTasks, TaskService tasks, WorkflowActors actors,
    IEnumerable<FormParts.TaskFormPart> formParts) : PageModel
{
    /// <summary>The task forms' answers, declared in the order the page asks them (the error summary follows it).</summary>
    public sealed class TaskInput
    {
        public bool? HasConflict { get; set; }
        public string? ConflictDetails { get; set; }
        public Dictionary<int, int?> Scores { get; set; } = new();
        public string? Outcome { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The amount to award")] public decimal? AmountAwarded { get; set; }
        /// <summary>An approval's conditions, a row each; blank rows are left out.</summary>
        public List<ConditionRow> ConditionRows { get; set; } = [];
        /// <summary>An approval's outcome targets by measure code, starting from the applicant's.</summary>
        public Dictionary<string, string?> Targets { get; set; } = new();
        [Forms.DateInput("the new due date", Example = "30 7 2027")] public Forms.GovUkDate NewDue { get; set; } = Forms.GovUkDate.Empty;
        /// <summary>A repaid underspend: the amount received as typed, and the day it arrived.</summary>
        public string? AmountReceived { get; set; }
        [Forms.DateInput("the date received", Example = "2 5 2028")] public Forms.GovUkDate Received { get; set; } = Forms.GovUkDate.Empty;
        public string? PaymentReference { get; set; }
        /// <summary>What the applicant is told; the comment is the note for the file.</summary>
        public string? MessageToApplicant { get; set; }
        public string? Comment { get; set; }
    }

    public sealed class ConditionRow
    {
        public string? Text { get; set; }
        public string? Kind { get; set; }
        public string? Payment { get; set; }
    }

    /// <summary>How many condition rows an approval offers when none are typed yet.</summary>
    public const int ConditionRowsShown = 3;

    [BindProperty(Name = "Input")] public TaskInput Input { get; set; } = new();
    public InboxTask Task { get; private set; } = null!;
    public Application? Application { get; private set; }
    public ApplicationSummaryView? Summary { get; private set; }
    public bool CanSeeApplication { get; private set; }
    public bool MustDeclare { get; private set; }
    /// <summary>Whether this person may do the task (rather than oversee it).</summary>
    public bool CanAct { get; private set; }
    public string? OrganisationName { get; set; }
    public string MyId { get; private set; } = "";
    public WorkflowDefinition Definition { get; private set; } = null!;
    /// <summary>How the task's form shows on this page (its partials and the note's label).</summary>
    public FormParts.TaskFormPart FormPart { get; private set; } = new FormParts.NoFormPart();
    public List<AssessmentCriterion> Criteria { get; set; } = [];
    public IReadOnlyList<WorkflowHistoryEntry> History { get; private set; } = [];
    public IReadOnlyList<OutboxEmail> Emails { get; private set; } = [];
    public IReadOnlyList<AssessmentSummary> Assessments { get; set; } = [];
    /// <summary>The most a weighted score on the application's fund can be.</summary>
    public int ScoreOutOf { get; set; } = 100;
    /// <summary>For a decision: the round's budget and what is committed against it, without this application.</summary>
    public Core.Funds.RoundBudget? RoundBudget { get; set; }
    /// <summary>The progress report a return task is about.</summary>
    public ReturnSummaryView? Return { get; private set; }
    public Core.Grants.Grant? Grant { get; set; }
    /// <summary>The change to a grant a variation task is about, and the names of its outcome measures.</summary>
    public Core.Grants.GrantVariation? Variation { get; set; }
    public IReadOnlyDictionary<string, string> MeasureNames { get; set; } = new Dictionary<string, string>();
    public DateInputView NewDueInput => new("Input.NewDue", "New due date if you request changes",
        $"Leave it blank for {ChangesDueDefault.ToString("d MMMM yyyy", Formats.EnGb)}, the fund's usual time for changes.",
        Input.NewDue);
    public DateInputView ReceivedInput => new("Input.Received", "Date received", "The day the repayment reached the council's account, for example 2 5 2028.",
        Input.Received);
    /// <summary>When changes are due if the officer sets no date: the fund's monitoring settings.</summary>
    public DateOnly ChangesDueDefault { get; private set; }
    /// <summary>The payment a finance task is about.</summary>
    public Core.Grants.Instalment? Instalment { get; private set; }
    /// <summary>The outcomes whose next stage emails the applicant: where a message to them goes.</summary>
    public IReadOnlyList<string> ReachApplicant { get; private set; } = [];
    /// <summary>The hint on the message to the applicant: which outcomes send it and which need one.</summary>
    public string MessageHint
    {
        get
        {
            var sent = $"Emailed to the applicant and shown on their application page when you choose: {string.Join(", ", ReachApplicant.Select(WorkflowLabels.Outcome))}.";
            var required = ReachApplicant.Where(ApplicantMessages.MustTell).Select(WorkflowLabels.Outcome).ToList();
            return required.Count == 0 ? sent
                : required.Count == ReachApplicant.Count ? $"{sent} Required."
                : $"{sent} Required when you choose: {string.Join(", ", required)}.";
        }
    }
    /// <summary>Requests for more information on the application, with the applicant's answers and documents.</summary>
    public InformationRequests? Information { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id) => await ShowAsync(id);

    public Task<IActionResult> OnPostClaimAsync(long id) => ActAsync(id, actor => runtime.ClaimTaskAsync(id, actor), "You have taken the task");

    [BindProperty] public string? AssignTo { get; set; }
    /// <summary>People a grant officer can give the task to: only those who may take it (see <see cref="TaskEligibility"/>).</summary>
    public IReadOnlyList<TaskCandidate> Assignable { get; private set; } = [];
    /// <summary>Nobody holding the task's role may take it: a grant officer assigns a stand-in or sets it aside.</summary>
    public bool NobodyEligible { get; private set; }
    /// <summary>Whether this officer may set the task aside (another copy of it at this stage is done or open).</summary>
    public bool CanOverride { get; private set; }
    [BindProperty] public string? OverrideReason { get; set; }

    public async Task<IActionResult> OnPostOverrideAsync(long id)
    {
        ModelState.Clear();
        if (string.IsNullOrWhiteSpace(OverrideReason))
        {
            ModelState.AddModelError(nameof(OverrideReason), "Enter the reason for going ahead without this task");
            return await ShowAsync(id);
        }
        try
        {
            var result = await runtime.OverrideTaskAsync(id, OverrideReason, await actors.ForAsync(User));
            TempData["Success"] = result.Moved
                ? $"The task has been set aside. It is now at the stage: {await staffTasks.StageTitleAsync(result)}"
                : "The task has been set aside. The application moves on when the other tasks at this stage are done";
            return Redirect("/Staff/Inbox");
        }
        catch (ForbiddenException) { return Forbid(); }
        catch (WorkflowInvalidException e) when (e.Field == "reason") { ModelState.AddModelError(nameof(OverrideReason), e.Message); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return await ShowAsync(id);
    }

    public async Task<IActionResult> OnPostAssignAsync(long id)
    {
        if (string.IsNullOrEmpty(AssignTo))
        {
            ModelState.AddModelError("AssignTo", "Choose who to give the task to");
            return await ShowAsync(id);
        }
        try
        {
            await runtime.AssignTaskAsync(id, AssignTo, await actors.ForAsync(User));
            TempData["Success"] = "The task has been assigned";
            return RedirectToPage(new { id });
        }
        catch (ForbiddenException) { return Forbid(); }
        catch (WorkflowInvalidException e) when (e.Field == "assignee") { ModelState.AddModelError("AssignTo", e.Message); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return await ShowAsync(id);
    }

    /// <summary>Puts an email that could not be delivered back in the queue.</summary>
    public async Task<IActionResult> OnPostRetryEmailAsync(long id, Guid email, [FromServices] TimeProvider time)
    {
        await LoadAsync(id);
        if (!Emails.Any(m => m.Id == email)) return NotFound();
        TempData["Success"] = await EmailDispatcher.RetryAsync(db, email, time.GetUtcNow().UtcDateTime)
            ? "The email will be sent again within a few seconds" : "That email is not waiting to be retried";
        return RedirectToPage(new { id });
    }

    public Task<IActionResult> OnPostReleaseAsync(long id) => ActAsync(id, actor => runtime.ReleaseTaskAsync(id, actor), "The task is back with the team");

    public async Task<IActionResult> OnPostDeclareAsync(long id)
    {
        ModelState.Clear();
        if (Input.HasConflict is null) ModelState.AddModelError("Input.HasConflict", "Say whether you have a conflict of interest");
        else if (Input.HasConflict == true && string.IsNullOrWhiteSpace(Input.ConflictDetails))
            ModelState.AddModelError("Input.ConflictDetails", "Describe the conflict of interest");
        if (!ModelState.IsValid) return await ShowAsync(id);
        if (Input.HasConflict == true)
            return await ActAsync(id, actor => runtime.DeclareConflictAsync(id, true, Input.ConflictDetails!.Trim(), actor),
                "Thank you. The task has gone back to the other assessors", toInbox: true);
        return await ActAsync(id, actor => runtime.DeclareConflictAsync(id, false, null, actor), "Thank you. The task is yours");
    }

    public async Task<IActionResult> OnPostCompleteAsync(long id)
    {
        var unreadableAmount = ModelState.TryGetValue("Input.AmountAwarded", out var amountEntry) && amountEntry.Errors.Count > 0 ? amountEntry.Errors[0].ErrorMessage : null;
        var (typedRaw, typedAttempt) = (amountEntry?.RawValue, amountEntry?.AttemptedValue);
        ModelState.Clear();
        if (typedAttempt is not null)
        {
            // Keep what was typed for the page shown again, without leaving the field unvalidated.
            ModelState.SetModelValue("Input.AmountAwarded", typedRaw, typedAttempt);
            ModelState.MarkFieldValid("Input.AmountAwarded");
        }
        var scores = Input.Scores.Where(s => s.Value is not null).ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.Value!.Value);
        try
        {
            var actor = await actors.ForAsync(User);
            var awarded = Input.AmountAwarded;
            if (unreadableAmount is not null)
            {
                ModelState.AddModelError("Input.AmountAwarded", unreadableAmount);
                return await ShowAsync(id);
            }
            var targets = new Dictionary<string, decimal>();
            foreach (var (code, text) in Input.Targets)
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                if (decimal.TryParse(text.Replace(",", "").Trim(), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var target))
                    targets[code] = target;
                else ModelState.AddModelError($"Input.Targets[{code}]", "Enter the target as a number, like 40");
            }
            if (!ModelState.IsValid) return await ShowAsync(id);
            // Rows typed in, remembered by their place on the page so an error finds its row.
            var rows = Input.ConditionRows.Select((r, i) => (Row: r, Index: i)).Where(r => !string.IsNullOrWhiteSpace(r.Row.Text)).ToList();
            var conditions = new List<Core.Grants.OfferCondition>();
            foreach (var (row, index) in rows)
            {
                int? payment = null;
                if (!string.IsNullOrWhiteSpace(row.Payment))
                {
                    if (int.TryParse(row.Payment.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)) payment = p;
                    else ModelState.AddModelError($"Input.ConditionRows[{index}].Payment", $"Enter the payment's number, like 2");
                }
                conditions.Add(new Core.Grants.OfferCondition(row.Text!, row.Kind ?? "", payment));
            }
            if (!ModelState.IsValid) return await ShowAsync(id);
            var newDue = Input.NewDue.Date;
            if (Input.NewDue.Problem is not null)
            {
                Input.NewDue.Report(ModelState, "Input.NewDue");
                return await ShowAsync(id);
            }
            decimal? received = null;
            if (Core.Money.TryParse(Input.AmountReceived, out var pounds) is var readAs && readAs == Core.Money.ParseResult.Ok) received = pounds;
            else if (readAs != Core.Money.ParseResult.Empty) ModelState.AddModelError("Input.AmountReceived", Core.Money.Problem(readAs, "The amount received"));
            var receivedOn = Input.Received.Date;
            Input.Received.Report(ModelState, "Input.Received");
            if (!ModelState.IsValid) return await ShowAsync(id);
            var result = await tasks.CompleteAsync(id, actor, new TaskCompletion(Input.Outcome, Input.Comment, scores, awarded)
            {
                AmountReceived = received, ReceivedOn = receivedOn,
                ConditionList = conditions,
                NewDueOn = newDue, PaymentReference = Input.PaymentReference, Targets = targets.Count == 0 ? null : targets,
                MessageToApplicant = Input.MessageToApplicant, CommentStandsInForMessage = false,
            });
            TempData["Success"] = result.Moved ? $"Task completed. It is now at the stage: {await staffTasks.StageTitleAsync(result)}"
                : "Task completed. The application moves on when the other tasks at this stage are done";
            return Redirect("/Staff/Inbox");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages)
                    ModelState.AddModelError(field.StartsWith("scores.", StringComparison.Ordinal) ? $"Input.Scores[{field[7..]}]" : field.StartsWith("targets.", StringComparison.Ordinal) ? $"Input.Targets[{field[8..]}]" : field == "newDueOn" ? "Input.NewDueDay" : field == "receivedOn" ? "Input.ReceivedDay"
                        : ConditionField(field) ?? $"Input.{char.ToUpperInvariant(field[0])}{field[1..]}", message);
        }
        catch (ForbiddenException) { return Forbid(); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        return await ShowAsync(id);
    }

    /// <summary>The page's field for a decision's "conditions[i].text": the i-th row typed in, wherever it is on the page.</summary>
    private string? ConditionField(string field)
    {
        var match = System.Text.RegularExpressions.Regex.Match(field, @"^conditions\[(\d+)\]\.(text|kind|payment)$");
        if (!match.Success) return field == "conditions" ? "Input.ConditionRows[0].Text" : null;
        var typed = Input.ConditionRows.Select((r, i) => (r, i)).Where(r => !string.IsNullOrWhiteSpace(r.r.Text)).Select(r => r.i).ToList();
        var n = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var index = n < typed.Count ? typed[n] : n;
        return $"Input.ConditionRows[{index}].{char.ToUpperInvariant(match.Groups[2].Value[0])}{match.Groups[2].Value[1..]}";
    }

    private async Task<IActionResult> ActAsync(long id, Func<Actor, Task> act, string done, bool toInbox = false)
    {
        try
        {
            await act(await actors.ForAsync(User));
            TempData["Success"] = done;
            return toInbox ? Redirect("/Staff/Inbox") : RedirectToPage(new { id });
        }
        catch (ForbiddenException) { return Forbid(); }
        catch (RefusedException e)
        {
            ModelState.AddModelError("", e.Message);
            return await ShowAsync(id);
        }
    }

    private async Task<IActionResult> ShowAsync(long id)
    {
        await LoadAsync(id);
        return Page();
    }

    /// <summary>Fills the page from <see cref="StaffTasks"/>, which refuses (404 or 403) whoever may not see the task.</summary>
    private async Task LoadAsync(long id)
    {
        var view = await staffTasks.ForAsync(id, await actors.ForAsync(User));
        (Task, Definition, MyId, CanAct, MustDeclare, ReachApplicant) = (view.Task, view.Definition, view.MyId, view.CanAct, view.MustDeclare, view.ReachApplicant);
        (CanSeeApplication, OrganisationName, Emails, History) = (view.CanSeeSubject, view.OrganisationName, view.Emails, view.History);
        if (view.Application is { } subject)
        {
            Application = subject.Application;
            Summary = ApplicationSummaryView.From(subject.Application) with { Documents = subject.Documents, ForStaff = true };
            Information = subject.Information;
        }
        if (view.Return is { } report)
        {
            (Grant, ChangesDueDefault) = (report.Grant, report.ChangesDueDefault);
            Return = new ReturnSummaryView(report.Return, report.MeasureNames, report.Evidence);
        }
        if (view.Grant is { } paying) (Grant, Instalment) = (paying.Grant, paying.Instalment);
        if (view.Assignment is { } assignment)
            (Assignable, NobodyEligible, CanOverride) = (assignment.Candidates, assignment.NobodyEligible, assignment.CanOverride);
        if (Task.Form is not null) FormPart = formParts.Single(p => p.Form == Task.Form);
        await FormPart.LoadAsync(this, staffTasks);
    }
}
