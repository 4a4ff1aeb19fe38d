using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Monitoring;

/// <summary>
/// A grant officer's review of a progress report. Sending it back for changes sets the new last day
/// to send it (the fund's default unless given: after today and within 3 months) and its reminders.
/// </summary>
public sealed class ReturnReviewForm(GrantDbContext db, MonitoringSchedules schedules) : ITaskForm
{
    public static string Name => "return-review";
    public static string Asks => "When changes are requested: the new date the progress report is due";
    public static IReadOnlyList<string> ActsOn => ["request-changes"];

    public async Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "request-changes") return TaskFormAnswer.Nothing;
        var today = Configuration.UkTime.DayOf(context.Now);
        var returnId = GrantWorkflows.SubjectId(context.Task.Instance!, GrantWorkflows.ReturnSubject)
            ?? throw new WorkflowInvalidException("This task is not about a progress report", "outcome");
        var fundCode = await db.Set<MonitoringReturn>().Where(r => r.Id == returnId)
            .Join(db.Grants, r => r.GrantId, g => g.Id, (r, g) => g.FundId).Join(db.Funds, f => f, f => f.Id, (_, f) => f.Code).SingleAsync(ct);
        var settings = schedules.For(fundCode);
        var due = context.Completion.NewDueOn ?? settings.ChangesDueFrom(today);
        if (due <= today || due > today.AddMonths(3))
        {
            errors.Add("newDueOn", "The new due date must be after today and within 3 months");
            return TaskFormAnswer.Nothing;
        }
        return new TaskFormAnswer(CaseData: new Dictionary<string, object?>
        {
            ["changesDueOn"] = GrantWorkflows.DayText(due),
            ["changesDueAt"] = Configuration.UkTime.EndOfDay(due),
            ["changesRemindFrom"] = GrantWorkflows.RemindFrom(due, settings),
            ["changesRequested"] = context.MessageToApplicant,
        });
    }
}
