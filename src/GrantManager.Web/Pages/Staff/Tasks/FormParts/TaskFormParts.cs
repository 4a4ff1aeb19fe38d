using GrantManager.Core.Tasks;
using GrantManager.Core.Workflows;

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
    public virtual Task LoadAsync(TaskModel page, StaffTasks queries) => Task.CompletedTask;
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

    public override async Task LoadAsync(TaskModel page, StaffTasks queries)
    {
        if (page.Application is { } application) page.Criteria = await queries.CriteriaAsync(application.FundId);
    }
}

public sealed class DecisionPart : TaskFormPart
{
    public override string Form => Core.Grants.DecisionForm.Name;
    public override string AfterOutcome => "FormParts/_DecisionTerms";

    public override async Task LoadAsync(TaskModel page, StaffTasks queries)
    {
        if (!page.CanSeeApplication) return;
        // The decider sees every assessment: recommendation, weighted score and reasons.
        page.Assessments = await queries.AssessmentsAsync(page.Task.InstanceId);
        if (page.Application is { } application)
        {
            page.ScoreOutOf = Core.Applications.AssessmentForm.ScoreOutOf(await queries.CriteriaAsync(application.FundId));
            if (page.Input.Targets.Count == 0)
                page.Input.Targets = application.Outcomes.ToDictionary(o => o.MeasureCode, o => (string?)o.Target.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
            if (application.AmountRequested is decimal requested && page.Input.AmountAwarded is null)
                page.Input.AmountAwarded = requested;
            page.RoundBudget = await queries.RoundBudgetAsync(application.Id);
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

    public override async Task LoadAsync(TaskModel page, StaffTasks queries)
    {
        if (await queries.VariationAsync(page.Task.Instance!) is not { } subject) return;
        (page.Variation, page.Grant, page.OrganisationName, page.MeasureNames) = (subject.Variation, subject.Grant, subject.OrganisationName, subject.MeasureNames);
        page.RoundBudget = await queries.RoundBudgetAsync(subject.Grant.ApplicationId);
    }
}
