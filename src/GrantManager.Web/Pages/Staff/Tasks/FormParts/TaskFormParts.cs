using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Web.Pages.Staff.Tasks.FormParts;

/// <summary>
/// How a task form (<see cref="ITaskForm"/>) shows on the task page: the partials it adds before and
/// after the outcome, what the page loads for them, and how the note for the file is asked for.
/// One per form, beside its partials; start-up refuses a form without one.
/// </summary>
public abstract class TaskFormPart
{
    public abstract string Form { get; }
    public virtual string? BeforeOutcome => null;
    public virtual string? AfterOutcome => null;
    public virtual string NoteLabel => "Note for the file";
    public virtual string NoteHint => "Only council staff see this. It is never sent to the applicant.";
    public virtual int NoteRows => 4;
    public virtual Task LoadAsync(TaskModel page, GrantDbContext db) => Task.CompletedTask;
}

/// <summary>The note for the file of a task without a form.</summary>
public sealed class NoFormPart : TaskFormPart
{
    public override string Form => "";
}

public sealed class AssessmentPart : TaskFormPart
{
    public override string Form => Core.Applications.AssessmentForm.Name;
    public override string BeforeOutcome => "FormParts/_AssessmentScores";
    public override string NoteLabel => "Your reasons for the scores and recommendation";
    public override string NoteHint => "Required. Council staff and the decision-maker see this; it is never sent to the applicant.";
    public override int NoteRows => 5;

    public override async Task LoadAsync(TaskModel page, GrantDbContext db)
    {
        if (page.Application is { } application)
            page.Criteria = await db.Criteria.AsNoTracking().Where(c => c.FundId == application.FundId).OrderBy(c => c.Order).ToListAsync();
    }
}

public sealed class DecisionPart : TaskFormPart
{
    public override string Form => Core.Grants.DecisionForm.Name;
    public override string AfterOutcome => "FormParts/_DecisionTerms";

    public override async Task LoadAsync(TaskModel page, GrantDbContext db)
    {
        if (!page.CanSeeApplication) return;
        // The decider sees every assessment: recommendation, weighted score and reasons.
        var done = await db.InboxTasks.AsNoTracking()
            .Where(t => t.InstanceId == page.Task.InstanceId && t.Form == Core.Applications.AssessmentForm.Name && t.Status == InboxTaskStatus.Completed)
            .OrderBy(t => t.Id).ToListAsync();
        page.Assessments = done.Select(t => new TaskModel.AssessmentView(t.CompletedByName ?? "", t.Outcome ?? "",
            TaskData.WeightedScore(t.Data),
            t.Comment)).ToList();
        if (page.Application is { } application)
        {
            page.ScoreOutOf = Core.Applications.AssessmentForm.ScoreOutOf(await db.Criteria.AsNoTracking().Where(c => c.FundId == application.FundId).ToListAsync());
            if (page.Input.Targets.Count == 0)
                page.Input.Targets = application.Outcomes.ToDictionary(o => o.MeasureCode, o => (string?)o.Target.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
            if (application.AmountRequested is decimal requested && page.Input.AmountAwarded is null)
                page.Input.AmountAwarded = requested;
            page.RoundBudget = await page.HttpContext.RequestServices.GetRequiredService<Core.Funds.RoundBudgets>().ForApplicationAsync(application.Id);
        }
    }
}

public sealed class ReturnReviewPart : TaskFormPart
{
    public override string Form => Core.Monitoring.ReturnReviewForm.Name;
    public override string AfterOutcome => "FormParts/_ReturnReviewDue";
}

public sealed class PaymentPart : TaskFormPart
{
    public override string Form => Core.Grants.PaymentForm.Name;
    public override string AfterOutcome => "FormParts/_PaymentReference";
    public override string NoteLabel => "Note for the file: the reason, if you hold the payment or the bank rejected it";
    public override string NoteHint => "Required when held or failed. Only council staff see this.";
}

public sealed class RepaymentPart : TaskFormPart
{
    public override string Form => Core.Grants.RepaymentForm.Name;
    public override string AfterOutcome => "FormParts/_RepaymentReceived";
}

public sealed class VariationReviewPart : TaskFormPart
{
    public override string Form => Core.Grants.VariationReviewForm.Name;
    public override string BeforeOutcome => "FormParts/_VariationChanges";

    public override async Task LoadAsync(TaskModel page, GrantDbContext db)
    {
        if (page.Task.Instance is not { SubjectType: Core.Grants.GrantVariations.SubjectType } instance || !int.TryParse(instance.SubjectId, out var id)) return;
        page.Variation = await db.Set<Core.Grants.GrantVariation>().AsNoTracking().SingleAsync(v => v.Id == id);
        page.Grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == page.Variation.GrantId);
        page.OrganisationName = await db.Organisations.Where(o => o.Id == page.Grant.OrganisationId).Select(o => o.Name).SingleAsync();
        page.MeasureNames = await db.OutcomeMeasures.AsNoTracking().Where(m => m.FundId == page.Grant.FundId).ToDictionaryAsync(m => m.Code, m => m.Name);
        page.RoundBudget = await page.HttpContext.RequestServices.GetRequiredService<Core.Funds.RoundBudgets>().ForApplicationAsync(page.Grant.ApplicationId);
    }
}
