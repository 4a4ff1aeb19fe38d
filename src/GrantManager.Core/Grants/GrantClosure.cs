using System.Globalization;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>
/// Closing a grant on its own workflow (<c>workflows/grant-closure.json</c>): the accepted final report opens it,
/// the grant holder declares any underspend, and any underspend is repaid before the grant closes.
/// </summary>
public static class GrantClosure
{
    public const string Subject = "grant";
    public const string Workflow = "grant-closure";
    /// <summary>The stage where the grant holder declares the underspend, and the task they do it with.</summary>
    public const string DeclareStage = "declare";
    public const string DeclareOutcome = "declare";

    /// <summary>Where a grant is in closing, as the API and pages name it.</summary>
    public static string State(Grant g) =>
        g.EndedAt is not null ? "ended-early"
        : g.Status == GrantStatus.Closed ? "closed"
        : g.RepaymentRequestedAt is not null ? "repayment-requested"
        : g.ClosureInstanceId is not null ? "declaring"
        : "not-started";

    public static string StateText(Grant g) => State(g) switch
    {
        "ended-early" => "Ended early",
        "closed" => "Closed",
        "repayment-requested" => "Waiting for the underspend to be repaid",
        "declaring" => "Waiting for the grant holder to declare any underspend",
        _ => "Not started: it opens when the final report is accepted",
    };

    public static decimal PaidSoFar(Grant g) => g.Instalments.Where(i => i.Status == InstalmentStatus.Paid).Sum(i => i.Amount);

    /// <summary>What is still to be repaid, once repayment has been asked for.</summary>
    public static decimal? Outstanding(Grant g) => g.RepaymentRequestedAt is null ? null : (g.Underspend ?? 0) - (g.RepaymentReceived ?? 0);

    /// <summary>Starts the grant's closure (as the system, in the transition that accepts the final report): the grant holder is asked about any underspend.</summary>
    public static async Task StartAsync(StartWorkflow start, Grant grant, WorkflowInstance about, CancellationToken ct)
    {
        if (grant.ClosureInstanceId is not null) return;
        var data = GrantWorkflows.Common(about);
        data["grantReference"] = grant.Reference;
        var instance = await start(Workflow, new WorkflowSubject(Subject, grant.Id.ToString(CultureInfo.InvariantCulture), data)
        {
            Reference = $"{grant.Reference}/C", Path = $"/Applicant/Applications/{grant.ApplicationId}", OrganisationId = grant.OrganisationId,
            ContactEmail = about.ContactEmail, ContactName = about.ContactName, CaseId = grant.ApplicationId,
        }, "Final report accepted: closing the grant", ct);
        grant.ClosureInstanceId = instance.Id;
    }

    internal static decimal? Number(WorkflowInstance instance, string field)
    {
        return SubjectData.Number(instance.Data, field);
    }
}

/// <summary>
/// "closure-status": keeps the grant in step with its closure: when repayment is asked for, what finance has
/// recorded as received, and on the closed stage the grant's status and closing time.
/// </summary>
public sealed class ClosureStatusHandler : IStateHandler
{
    public string Name => "closure-status";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (GrantWorkflows.SubjectId(context.Instance, GrantClosure.Subject) is not int id) return;
        var grant = await ((GrantDbContext)context.Db).Grants.SingleAsync(g => g.Id == id, ct);
        var instance = context.Instance;
        grant.RepaymentReceived = GrantClosure.Number(instance, "repaymentReceived") ?? grant.RepaymentReceived;
        if (DateOnly.TryParseExact(GrantWorkflows.Text(instance, "repaymentReceivedOn"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on))
            grant.RepaymentReceivedOn = on;
        grant.RepaymentReference = GrantWorkflows.Text(instance, "repaymentReference") ?? grant.RepaymentReference;
        if (context.State.Status == "repayment-requested") grant.RepaymentRequestedAt ??= context.Now;
        if (context.State.Final && grant.Status != GrantStatus.Closed)
        {
            grant.Status = GrantStatus.Closed;
            grant.ClosedAt = context.Now;
        }
    }
}

/// <summary>
/// Finance's record of a repayment of an underspend: the amount received (up to what is still owed), the day it
/// reached the council and the finance system's reference. Once nothing is owed the grant closes.
/// </summary>
public sealed class RepaymentForm : ITaskForm
{
    public static string Name => "repayment";
    public static string Asks => "The amount received (no more than is still owed), the day it reached the council and the finance system's reference";
    public static IReadOnlyList<string> ActsOn => ["received"];

    public Task<TaskFormAnswer> CheckAsync(TaskFormContext context, Errors errors, CancellationToken ct)
    {
        if (context.Outcome != "received") return Task.FromResult(TaskFormAnswer.Nothing);
        var instance = context.Task.Instance!;
        var outstanding = GrantClosure.Number(instance, "repaymentOutstanding") ?? 0;
        var received = GrantClosure.Number(instance, "repaymentReceived") ?? 0;
        var amount = context.Completion.AmountReceived;
        if (amount is null) errors.Add("amountReceived", "Enter the amount received");
        else if (amount <= 0) errors.Add("amountReceived", "The amount received must be more than £0");
        else if (decimal.Round(amount.Value, 2) != amount) errors.Add("amountReceived", "The amount received must be in pounds and pence, with no more than 2 decimal places");
        else if (amount > outstanding) errors.Add("amountReceived", $"The amount received must be no more than the {Money.Format(outstanding)} still to be repaid");
        var today = Configuration.UkTime.DayOf(context.Now);
        if (context.Completion.ReceivedOn is not DateOnly on) errors.Add("receivedOn", "Enter the date the repayment reached us");
        else if (on > today) errors.Add("receivedOn", "The date received must be today or in the past");
        else if (on < today.AddYears(-1)) errors.Add("receivedOn", "The date received must be within the last year");
        var reference = context.Completion.PaymentReference?.Trim();
        if (string.IsNullOrEmpty(reference)) errors.Add("paymentReference", "Enter the reference of the receipt from the finance system");
        else if (reference.Length > 50) errors.Add("paymentReference", "The reference must be 50 characters or fewer");
        if (errors.Any) return Task.FromResult(TaskFormAnswer.Nothing);
        var day = context.Completion.ReceivedOn!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Task.FromResult(new TaskFormAnswer(
            TaskData: new Dictionary<string, object?> { ["amountReceived"] = amount, ["receivedOn"] = day, ["paymentReference"] = reference },
            CaseData: new Dictionary<string, object?>
            {
                ["lastReceived"] = amount, ["repaymentReceived"] = received + amount!.Value, ["repaymentOutstanding"] = outstanding - amount.Value,
                ["repaymentReceivedOn"] = day, ["repaymentReference"] = reference,
            }));
    }
}

/// <summary>
/// What people do to close a grant outside finance's task: the grant holder declares the underspend, and a grant
/// officer (or administrator) ends a grant early, cancelling the payments and progress reports still to come.
/// </summary>
public sealed class GrantClosureService(GrantDbContext db, WorkflowRuntime runtime, ReturnService returns, Email.Outbox outbox, TimeProvider time)
{
    public const int MaxReason = WorkflowRuntime.ReasonLength;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The grant, for anyone who may see it (another organisation's is not found; a role that sees no grants is refused).</summary>
    public async Task<Grant> ForReadingAsync(int grantId, Actor actor, CancellationToken ct = default) =>
        await returns.VisibleGrants(actor).AsNoTracking().Include(g => g.Instalments).Include(g => g.Returns).SingleOrDefaultAsync(g => g.Id == grantId, ct)
        ?? throw new NotFoundException("No such grant");

    /// <summary>Whether the grant holder may declare the underspend now: closure is open and waiting for it.</summary>
    public async Task<bool> AwaitsDeclarationAsync(Grant grant, CancellationToken ct = default) =>
        grant.ClosureInstanceId is Guid id && await db.WorkflowInstances.AnyAsync(i => i.Id == id && i.State == GrantClosure.DeclareStage && i.CompletedAt == null, ct);

    public static bool MayEnd(Actor actor) => actor.HasRole(Roles.GrantOfficer) || actor.HasRole(Roles.Administrator);

    /// <summary>
    /// The grant holder declares the money not spent (£0 when it was all spent), no more than has been paid. With an
    /// underspend, repayment is asked for and finance gets a task to record it; with none, the grant closes now.
    /// </summary>
    public async Task<Grant> DeclareUnderspendAsync(int grantId, Actor actor, decimal? amount, CancellationToken ct = default)
    {
        var found = await ForReadingAsync(grantId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || found.OrganisationId != actor.OrganisationId)
            throw new ForbiddenException("Only the grant holder declares the underspend");
        if (found.ClosureInstanceId is not Guid closureId || found.Status == GrantStatus.Closed)
            throw new ConflictException(found.Status == GrantStatus.Closed ? "This grant has closed"
                : "You can tell us about money not spent once your final report has been accepted");
        if (!await AwaitsDeclarationAsync(found, ct)) throw new ConflictException("The underspend has already been declared");
        var paid = GrantClosure.PaidSoFar(found);
        var errors = new Errors();
        if (amount is not decimal value) errors.Add("amount", "Enter the amount not spent, or 0 if it was all spent");
        else if (value < 0) errors.Add("amount", "The amount not spent must not be a negative amount");
        else if (decimal.Round(value, 2) != value) errors.Add("amount", "The amount not spent must be in pounds and pence, with no more than 2 decimal places");
        else if (value > paid) errors.Add("amount", $"The amount not spent cannot be more than the {Money.Format(paid)} paid so far");
        errors.ThrowIfAny();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var grant = await db.Grants.SingleAsync(g => g.Id == grantId, ct);
        grant.Underspend = amount;
        grant.UnderspendDeclaredAt = Now;
        await db.SaveChangesAsync(ct);
        await runtime.UpdateDataAsync(closureId, new Dictionary<string, object?>
        {
            ["paidSoFar"] = paid, ["underspend"] = amount, ["repaymentOutstanding"] = amount, ["repaymentReceived"] = 0m,
        }, ct);
        var task = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == closureId && t.Status == InboxTaskStatus.Open && t.Role == Roles.Applicant)
            .Select(t => (long?)t.Id).FirstOrDefaultAsync(ct);
        if (task is long taskId) await runtime.CompleteTaskAsync(taskId, GrantClosure.DeclareOutcome, actor, null, null, ct);
        else await runtime.FireAsync(closureId, GrantClosure.DeclareOutcome, actor, null, null, ct);
        await tx.CommitAsync(ct);
        return await ForReadingAsync(grantId, actor, ct);
    }

    /// <summary>
    /// A grant officer or administrator ends the grant early, with the reason: every payment not yet made and every
    /// progress report not yet accepted is cancelled with its workflow (tasks, reminders and escalations), any closure
    /// under way stops, the grant closes, and the grant holder is told why. All in one transaction.
    /// </summary>
    public async Task<Grant> EndEarlyAsync(int grantId, Actor actor, string? reason, CancellationToken ct = default)
    {
        var found = await ForReadingAsync(grantId, actor, ct);
        if (!MayEnd(actor)) throw new ForbiddenException("Only a grant officer or an administrator can end a grant early");
        var why = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var errors = new Errors();
        if (why is null) errors.Add("reason", "Enter why the grant is ending early; the grant holder is told");
        else if (why.Length > MaxReason) errors.Add("reason", $"The reason must be {MaxReason:#,0} characters or fewer");
        errors.ThrowIfAny();
        if (found.Status == GrantStatus.Closed) throw new ConflictException("This grant has already closed");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var grant = await db.Grants.Include(g => g.Instalments).Include(g => g.Returns).SingleAsync(g => g.Id == grantId, ct);
        var note = $"Grant ended early: {why}";
        var payments = 0;
        foreach (var i in grant.Instalments.Where(i => i.Status is not (InstalmentStatus.Paid or InstalmentStatus.Cancelled)).OrderBy(i => i.Sequence))
        {
            if (i.WorkflowInstanceId is Guid id) await runtime.StopAsync(id, note, actor, ct);
            i.Status = InstalmentStatus.Cancelled;
            i.Version++;
            payments++;
        }
        foreach (var r in grant.Returns.Where(r => r.Status is not (ReturnStatus.Accepted or ReturnStatus.Cancelled)).OrderBy(r => r.Sequence))
        {
            if (r.WorkflowInstanceId is Guid id) await runtime.StopAsync(id, note, actor, ct);
            r.Status = ReturnStatus.Cancelled;
            r.Version++;
        }
        if (grant.ClosureInstanceId is Guid closure) await runtime.StopAsync(closure, note, actor, ct);
        var now = Now;
        grant.Status = GrantStatus.Closed;
        grant.ClosedAt = now;
        grant.EndedAt = now;
        grant.EndReason = why;
        grant.EndedByName = actor.Name;
        var applicationInstance = await db.Applications.AsNoTracking().Where(a => a.Id == grant.ApplicationId).Select(a => a.WorkflowInstanceId).SingleAsync(ct);
        var about = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == applicationInstance, ct);
        if (about.ContactEmail is { } contact)
        {
            var model = GrantWorkflows.Common(about);
            model["grantReference"] = grant.Reference;
            model["reason"] = why;
            model["cancelledPayments"] = payments;
            outbox.Add(db, "grant-ended", new Email.EmailRecipient(contact, about.ContactName), model,
                ApplicationService.SubjectType, grant.ApplicationId.ToString(CultureInfo.InvariantCulture));
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else changed this grant at the same moment. Reload to see what they did."); }
        await tx.CommitAsync(ct);
        return await ForReadingAsync(grantId, actor, ct);
    }
}
