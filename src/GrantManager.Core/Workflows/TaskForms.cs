using GrantManager.Core.Workflows;
using GrantManager.Core.Data;

namespace GrantManager.Core.Workflows;

/// <summary>A task's outcome with what its form asks for: scores for an assessment, the amount and conditions of an approval.</summary>
public sealed record TaskCompletion(string? Outcome, string? Comment, IReadOnlyDictionary<string, int>? Scores = null,
    decimal? AmountAwarded = null, string? Conditions = null)
{
    /// <summary>A return sent back for changes: the new last day to send it (two weeks if not given).</summary>
    public DateOnly? NewDueOn { get; init; }
    /// <summary>A payment: the reference of the payment made (a repayment: of the money received).</summary>
    public string? PaymentReference { get; init; }
    /// <summary>A repayment of an underspend: the amount received.</summary>
    public decimal? AmountReceived { get; init; }
    /// <summary>A repayment of an underspend: the day it reached the council.</summary>
    public DateOnly? ReceivedOn { get; init; }
    /// <summary>An approval: outcome targets changed from what the applicant proposed, by measure code.</summary>
    public IReadOnlyDictionary<string, decimal>? Targets { get; init; }
    /// <summary>
    /// What the applicant is told (in the email and on their page), kept apart from <see cref="TaskCompletion.Comment"/>,
    /// the note for the file that only staff see.
    /// </summary>
    public string? MessageToApplicant { get; init; }
    /// <summary>
    /// For callers from before the message was separate (the API, integrations): where an outcome must tell the
    /// applicant something (reasons for a rejection, the information needed) and no message is given, the comment
    /// is sent. The task page, which asks for the two separately, turns this off.
    /// </summary>
    public bool CommentStandsInForMessage { get; init; } = true;
    /// <summary>An approval: the conditions with their kinds (when given, in place of <see cref="TaskCompletion.Conditions"/>).</summary>
    public IReadOnlyList<Grants.OfferCondition>? ConditionList { get; init; }
    /// <summary>An applicant's answer: the documents they added to it.</summary>
    public IReadOnlyList<Guid>? Documents { get; init; }
}

/// <summary>
/// A task form: what a task asks beyond its outcome and note, how the answers are checked and what
/// is kept. A definition names one in a task's "form"; the loader refuses a name no form has, as it
/// does for handlers, so renaming a form in a file cannot silently drop its checks.
/// </summary>
public interface ITaskForm
{
    /// <summary>The name definitions use, e.g. assessment.</summary>
    static abstract string Name { get; }
    /// <summary>What the form asks, in a sentence, for the workflow pages and anyone writing a definition.</summary>
    static abstract string Asks { get; }
    /// <summary>The outcomes the form acts on (empty: every outcome). A task with this form must offer them.</summary>
    static abstract IReadOnlyList<string> ActsOn { get; }

    /// <summary>Checks the answers, adding each problem under the API's field name, and says what to keep.</summary>
    Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct);

    /// <summary>
    /// Checks again, inside the transaction that records the outcome, what others may change in the meantime
    /// (a round's budget that several decisions draw on), adding each problem as <see cref="CheckAsync"/> does.
    /// </summary>
    Task ConfirmAsync(TaskFormContext context, TaskFormAnswer answer, Errors errors, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>What a form checks: the open task (with its instance), the answers, and what the applicant will be told, if anything.</summary>
public sealed record TaskFormContext(InboxTask Task, TaskCompletion Completion, string? MessageToApplicant, DateTime Now)
{
    public string Outcome => Completion.Outcome ?? "";
}

/// <summary>
/// What a form keeps: <see cref="TaskData"/> on the completed task (scores, the amount awarded, a payment
/// reference) and <see cref="CaseData"/> merged into the case's workflow data in the same transaction as
/// the outcome (an offer's terms, a return's new due date), where emails and later stages read it.
/// </summary>
public sealed record TaskFormAnswer(IReadOnlyDictionary<string, object?>? TaskData = null, IReadOnlyDictionary<string, object?>? CaseData = null)
{
    public static readonly TaskFormAnswer Nothing = new();
}

/// <summary>A form as the loader and the pages know it.</summary>
public sealed record TaskFormInfo(string Name, string Asks, IReadOnlyList<string> ActsOn, Type Type);

/// <summary>The task forms this service has, by name.</summary>
public sealed class TaskFormCatalog
{
    private readonly Dictionary<string, TaskFormInfo> _forms = new(StringComparer.Ordinal);

    public TaskFormCatalog Add<T>() where T : class, ITaskForm
    {
        _forms.Add(T.Name, new TaskFormInfo(T.Name, T.Asks, T.ActsOn, typeof(T)));
        return this;
    }

    public IReadOnlyCollection<TaskFormInfo> All => _forms.Values;
    public TaskFormInfo? Find(string? name) => name is not null && _forms.TryGetValue(name, out var form) ? form : null;
}
