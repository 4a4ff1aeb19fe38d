using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Core.Tasks;

/// <summary>
/// Completes a person's task on any case: checks who may act, the outcome, the note for the file and
/// the message to the applicant, then hands the answers to the task's form (if it has one); what the
/// form keeps commits with the outcome in one transaction.
/// </summary>
public sealed class TaskService(GrantDbContext db, WorkflowRuntime runtime, TaskFormCatalog forms, IServiceProvider services, TimeProvider time)
{
    public async Task<TransitionResult> CompleteAsync(long taskId, Actor actor, TaskCompletion completion, CancellationToken ct = default)
    {
        var (outcome, comment) = (completion.Outcome, completion.Comment);
        var task = await db.InboxTasks.AsNoTracking().Include(t => t.Instance).WithConflicts().SingleOrDefaultAsync(t => t.Id == taskId, ct)
            ?? throw new NotFoundException("No such task");
        // Who may see the task comes before its state, and who may act before what they typed.
        if (!runtime.MaySee(task, actor)) throw new NotFoundException("No such task");
        if (task.Status == InboxTaskStatus.Open) runtime.EnsureMayWork(task, actor);
        var errors = new Errors();
        if (string.IsNullOrWhiteSpace(outcome)) errors.Add("outcome", $"Choose an outcome: {WorkflowText.Choices(task.OutcomeList)}");
        else if (!task.OutcomeList.Contains(outcome)) errors.Add("outcome", $"'{outcome}' is not an outcome of this task; choose {WorkflowText.Choices(task.OutcomeList)}");
        if (comment is { Length: > 5000 }) errors.Add("comment", "The note for the file must be 5,000 characters or fewer");

        // The note for the file stays with staff; the message is what the applicant reads.
        var message = string.IsNullOrWhiteSpace(completion.MessageToApplicant) ? null : completion.MessageToApplicant.Trim();
        var definition = runtime.Registry.Get(task.Instance!.DefinitionId, task.Instance.DefinitionVersion);
        var reaching = task.Role == Roles.Applicant ? [] : ApplicantMessages.OutcomesThatReachApplicant(definition, task);
        var messageField = completion.CommentStandsInForMessage && message is null ? "comment" : "messageToApplicant";
        if (message is null && completion.CommentStandsInForMessage && outcome is not null && ApplicantMessages.MustTell(outcome) && !string.IsNullOrWhiteSpace(comment))
            message = comment.Trim();
        if (message is { Length: > 5000 }) errors.Add("messageToApplicant", "The message to the applicant must be 5,000 characters or fewer");
        if (outcome is not null && task.OutcomeList.Contains(outcome))
        {
            if (message is null && ApplicantMessages.MustTell(outcome) && reaching.Contains(outcome))
                errors.Add(messageField, ApplicantMessages.WhatToTell(outcome));
            else if (message is not null && !reaching.Contains(outcome))
                errors.Add("messageToApplicant", reaching.Count == 0
                    ? "Nothing from this task is sent to the applicant: put what you want to say in the note for the file"
                    : $"Nothing is sent to the applicant when you choose \"{WorkflowText.Outcome(outcome)}\": leave the message empty, or put it in the note for the file");
        }

        var answer = TaskFormAnswer.Nothing;
        ITaskForm? form = null;
        var formContext = new TaskFormContext(task, completion, message, time.GetUtcNow().UtcDateTime);
        if (task.Form is not null)
        {
            // Every problem at once: a form acting on every outcome checks its answers before one is chosen.
            // The loader refuses a definition naming a form this service does not have.
            form = (ITaskForm)services.GetRequiredService(forms.Find(task.Form)!.Type);
            answer = await form.CheckAsync(formContext, errors, ct);
        }
        if (completion.Documents is { Count: > 0 } documents)
        {
            if (task.Role != Roles.Applicant || !int.TryParse(task.Instance.SubjectId, out var answeredId) || task.Instance.SubjectType != ApplicationService.SubjectType)
                errors.Add("documents", "Only an applicant's answer can carry documents");
            else
            {
                var known = await db.Set<Attachment>().Where(a => a.ApplicationId == answeredId && a.Kind == AttachmentStore.InformationKind && documents.Contains(a.Id))
                    .Select(a => a.Id).ToListAsync(ct);
                if (known.Count != documents.Distinct().Count()) errors.Add("documents", "A document is not one added to this answer");
            }
        }
        errors.ThrowIfAny();

        var data = answer.TaskData is null ? null : new Dictionary<string, object?>(answer.TaskData);
        if (message is not null || completion.Documents is { Count: > 0 })
        {
            data ??= new();
            if (message is not null) data[WorkflowRuntime.MessageKey] = message;
            if (completion.Documents is { Count: > 0 }) data["documents"] = completion.Documents.Distinct().Select(d => d.ToString()).ToList();
        }
        if (answer.CaseData is null) return await runtime.CompleteTaskAsync(taskId, outcome!, actor, comment?.Trim(), data, ct);

        // What the form keeps for the case (an offer's terms, a return's new due date) and the outcome commit together,
        // after the form has confirmed inside the transaction what others could have changed. A caller's transaction
        // (a panel meeting recording several decisions) holds them all.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        if (form is not null)
        {
            var confirmed = new Errors();
            await form.ConfirmAsync(formContext, answer, confirmed, ct);
            confirmed.ThrowIfAny();
        }
        await runtime.UpdateDataAsync(task.InstanceId, answer.CaseData, ct);
        var result = await runtime.CompleteTaskAsync(taskId, outcome!, actor, comment?.Trim(), data, ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return result;
    }
}
