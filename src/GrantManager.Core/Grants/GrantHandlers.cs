using System.Globalization;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>The subjects of the monitoring workflows, and starting them in the caller's transaction.</summary>
public static class GrantWorkflows
{
    public const string ReturnSubject = "return";
    public const string InstalmentSubject = "instalment";
    public const string PaymentWorkflow = "instalment-payment";

    public static string DayText(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    /// <summary>The moment reminders count from: the reminder time, in the UK, on the last day to send the return.</summary>
    public static DateTime RemindFrom(DateOnly dueOn, MonitoringSettings settings) =>
        TimeZoneInfo.ConvertTimeToUtc(dueOn.ToDateTime(settings.ReminderTime), UkTime.London);

    /// <summary>Starts a return's workflow (as the system, in the transition that awards the grant): it waits, opens for the applicant, reminds and escalates by the durations in its definition.</summary>
    public static async Task StartReturnAsync(StartWorkflow start, Grant grant, MonitoringReturn r, MonitoringSettings settings,
        WorkflowInstance application, CancellationToken ct)
    {
        var instalment = r.ReleasesInstalment is int seq ? grant.Instalments.FirstOrDefault(i => i.Sequence == seq) : null;
        var data = Common(application);
        data["grantReference"] = grant.Reference;
        data["period"] = r.Period;
        data["dueOn"] = DayText(r.DueOn);
        data["dueAt"] = r.DueAt;
        data["remindFrom"] = RemindFrom(r.DueOn, settings);
        data["isFinal"] = r.IsFinal;
        data["releasesInstalment"] = instalment is not null;
        data["instalmentAmount"] = instalment?.Amount;
        var instance = await start(settings.Workflow, new WorkflowSubject(ReturnSubject, r.Id.ToString(CultureInfo.InvariantCulture), data)
        {
            Reference = $"{grant.Reference}/R{r.Sequence}", Path = $"/Applicant/Returns/{r.Id}", OrganisationId = grant.OrganisationId,
            ContactEmail = application.ContactEmail, ContactName = application.ContactName, CaseId = grant.ApplicationId,
        }, $"{r.Period}, due {DayText(r.DueOn)}", ct);
        r.WorkflowInstanceId = instance.Id;
    }

    /// <summary>
    /// Releases an instalment: it is due now, and a finance officer's payment task opens; unless a condition
    /// not yet met holds it (the grant's <see cref="Grant.ConditionList"/> must be loaded), when it waits as
    /// held, with no task, until <see cref="GrantConditionService.RecordOutcomeAsync"/> meets the last such condition.
    /// The one place a payment is released.
    /// </summary>
    public static async Task ReleaseInstalmentAsync(StartWorkflow start, Grant grant, Instalment instalment, WorkflowInstance about, DateTime now, CancellationToken ct,
        string? because = null)
    {
        if (instalment.WorkflowInstanceId is not null) return;
        instalment.DueAt ??= now;
        if (grant.ConditionList.Any(c => c.Holds(instalment)))
        {
            instalment.Status = InstalmentStatus.Held;
            return;
        }
        instalment.Status = InstalmentStatus.Due;
        var data = Common(about);
        data["grantReference"] = grant.Reference;
        data["amount"] = instalment.Amount;
        data["paymentNumber"] = instalment.Sequence;
        data["releasedBy"] = instalment.ReleasedBy;
        var instance = await start(PaymentWorkflow, new WorkflowSubject(InstalmentSubject, instalment.Id.ToString(CultureInfo.InvariantCulture), data)
        {
            Reference = $"{grant.Reference}/P{instalment.Sequence}", Path = $"/Applicant/Applications/{grant.ApplicationId}", OrganisationId = grant.OrganisationId,
            ContactEmail = about.ContactEmail, ContactName = about.ContactName, CaseId = grant.ApplicationId,
        }, $"Payment {instalment.Sequence} of {Money.Format(instalment.Amount)} released" + (because is null ? "" : $": {because}"), ct);
        instalment.WorkflowInstanceId = instance.Id;
    }

    internal static Dictionary<string, object?> Common(WorkflowInstance from)
    {
        var source = from.Fields();
        var data = new Dictionary<string, object?>();
        foreach (var key in new[] { "projectTitle", "organisationName", "fundName" })
            data[key] = source.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return data;
    }

    public static int? SubjectId(WorkflowInstance instance, string type) =>
        instance.SubjectType == type && int.TryParse(instance.SubjectId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string? Text(WorkflowInstance instance, string field)
    {
        return SubjectData.Text(instance.Data, field);
    }
}

/// <summary>
/// The "award-grant" step of the grant application workflow: on acceptance, the grant record, its
/// payment schedule (the fund's plan), the outcome targets from the application and the schedule of
/// returns, each return on its own workflow; the payment due on acceptance goes to finance. All in the same transaction.
/// </summary>
public sealed class AwardGrantHandler(TimeProvider time, MonitoringSchedules schedules) : IStateHandler
{
    public string Name => "award-grant";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        var (db, instance) = ((GrantDbContext)context.Db, context.Instance);
        if (instance.SubjectType != ApplicationService.SubjectType || !int.TryParse(instance.SubjectId, out var applicationId)) return;
        if (await db.Grants.AnyAsync(g => g.ApplicationId == applicationId, ct)) return;
        var application = await db.Applications.Include(a => a.Outcomes).Include(a => a.Budget).Include(a => a.Fund).SingleAsync(a => a.Id == applicationId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var settings = schedules.For(application.Fund!.Code);
        var terms = GrantTerms.For(application, instance.Data, settings, now);
        var (instalments, returns) = (terms.Instalments, terms.Returns);
        foreach (var r in returns)
        {
            r.Spend = application.Budget.OrderBy(l => l.Id).Select(l => new ReturnSpend { Item = l.Item, Budgeted = l.Amount }).ToList();
            r.Actuals = terms.Targets.Select(t => new ReturnActual { MeasureCode = t.MeasureCode, Target = t.Target }).ToList();
        }
        var grant = new Grant
        {
            Reference = application.Reference, ApplicationId = application.Id, FundId = application.FundId, OrganisationId = application.OrganisationId,
            Amount = terms.Amount, StartDate = terms.Start, EndDate = terms.End, Conditions = terms.Conditions, Status = GrantStatus.Active, AwardedAt = now,
            Instalments = instalments,
            Targets = terms.Targets.ToList(),
            Returns = returns,
            ConditionList = terms.ConditionList.Select((c, i) => new GrantCondition
            {
                Sequence = i + 1, Text = c.Text, Kind = c.Kind, PaymentNumber = c.Payment, Status = ConditionStatus.Open,
            }).ToList(),
        };
        // The confirmation email lists the payments and report dates.
        instance.Data = SubjectData.With(instance.Data, new Dictionary<string, object?> { ["paymentsText"] = terms.PaymentsText(), ["reportsText"] = terms.ReportsText() });
        db.Grants.Add(grant);
        // The returns and instalments need their ids before their workflows can name them.
        await db.SaveChangesAsync(ct);
        foreach (var i in instalments.Where(i => i.ReleasedBy == "acceptance"))
            await GrantWorkflows.ReleaseInstalmentAsync(context.StartWorkflowAsync, grant, i, instance, now, ct);
        foreach (var r in returns)
            await GrantWorkflows.StartReturnAsync(context.StartWorkflowAsync, grant, r, settings, instance, ct);
    }
}

/// <summary>
/// "return-status": keeps a return's status in step with its workflow stage (the stage's status:
/// upcoming, due, submitted, changes-requested or accepted).
/// </summary>
public sealed class ReturnStatusHandler : IStateHandler
{
    public string Name => "return-status";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (GrantWorkflows.SubjectId(context.Instance, GrantWorkflows.ReturnSubject) is not int id) return;
        var status = context.State.Status?.Replace("-", "");
        if (!Enum.TryParse<ReturnStatus>(status, ignoreCase: true, out var value)) return;
        var r = await context.Db.Set<MonitoringReturn>().SingleAsync(x => x.Id == id, ct);
        r.Status = value;
        if (value == ReturnStatus.ChangesRequested)
        {
            r.ChangesRequested = GrantWorkflows.Text(context.Instance, "changesRequested");
            r.ChangesDueOn = DateTime.TryParse(GrantWorkflows.Text(context.Instance, "changesDueAt"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var due)
                ? UkTime.DayOf(due) : null;
        }
    }
}

/// <summary>
/// "accept-return": an accepted return releases its linked instalment to finance; the accepted final report opens the grant's closure.
/// </summary>
public sealed class AcceptReturnHandler(TimeProvider time) : IStateHandler
{
    public string Name => "accept-return";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (GrantWorkflows.SubjectId(context.Instance, GrantWorkflows.ReturnSubject) is not int id) return;
        var db = (GrantDbContext)context.Db;
        var now = time.GetUtcNow().UtcDateTime;
        var r = await db.Set<MonitoringReturn>().SingleAsync(x => x.Id == id, ct);
        r.Status = ReturnStatus.Accepted;
        r.AcceptedAt = now;
        var grant = await db.Grants.Include(g => g.Instalments).Include(g => g.ConditionList).SingleAsync(g => g.Id == r.GrantId, ct);
        if (r.ReleasesInstalment is int seq && grant.Instalments.FirstOrDefault(i => i.Sequence == seq) is { Status: InstalmentStatus.Scheduled } instalment)
            await GrantWorkflows.ReleaseInstalmentAsync(context.StartWorkflowAsync, grant, instalment, context.Instance, now, ct);
        if (r.IsFinal && grant.Status != GrantStatus.Closed)
            await GrantClosure.StartAsync(context.StartWorkflowAsync, grant, context.Instance, ct);
    }
}

/// <summary>
/// Where a payment's status changes once released: paid, held by finance, or back with finance after a
/// failed attempt. The payment workflow's handlers call these; nothing else sets them.
/// </summary>
public static class PaymentStates
{
    public static void Paid(Instalment instalment, DateTime now, string? reference, string paidBy)
    {
        instalment.Status = InstalmentStatus.Paid;
        instalment.PaidAt = now;
        instalment.PaymentReference = reference;
        instalment.PaidByName = paidBy;
        instalment.HeldReason = null;
        instalment.FailureReason = null;
    }

    public static void HeldByFinance(Instalment instalment, string? reason)
    {
        instalment.Status = InstalmentStatus.Held;
        instalment.HeldReason = reason;
    }

    /// <summary>To pay: on release, after a hold, or again after the bank rejected it (with why).</summary>
    public static void ToPay(Instalment instalment, string? failure)
    {
        instalment.Status = InstalmentStatus.Due;
        instalment.HeldReason = null;
        instalment.FailureReason = failure;
    }

    public static async Task<Instalment?> OfAsync(StateHandlerContext context, CancellationToken ct) =>
        GrantWorkflows.SubjectId(context.Instance, GrantWorkflows.InstalmentSubject) is int id
            ? await context.Db.Set<Instalment>().SingleAsync(i => i.Id == id, ct) : null;
}

/// <summary>"record-payment": the finance officer's payment reference and the date, on the instalment.</summary>
public sealed class RecordPaymentHandler(TimeProvider time) : IStateHandler
{
    public string Name => "record-payment";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (await PaymentStates.OfAsync(context, ct) is { } instalment)
            PaymentStates.Paid(instalment, time.GetUtcNow().UtcDateTime, GrantWorkflows.Text(context.Instance, "paymentReference"), context.Actor.Name);
    }
}

/// <summary>"payment-held": finance put the payment on hold, with their reason.</summary>
public sealed class PaymentHeldHandler : IStateHandler
{
    public string Name => "payment-held";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (await PaymentStates.OfAsync(context, ct) is { } instalment)
            PaymentStates.HeldByFinance(instalment, GrantWorkflows.Text(context.Instance, "holdReason"));
    }
}

/// <summary>"payment-due": the payment is with finance to pay, first time, after a hold or after a failed attempt.</summary>
public sealed class PaymentDueHandler : IStateHandler
{
    public string Name => "payment-due";

    public async Task OnEnterAsync(StateHandlerContext context, CancellationToken ct)
    {
        if (await PaymentStates.OfAsync(context, ct) is { } instalment)
            PaymentStates.ToPay(instalment, GrantWorkflows.Text(context.Instance, "failureReason"));
    }
}
