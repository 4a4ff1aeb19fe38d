using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Grants;

/// <summary>
/// One condition of a grant's offer. Before the first payment or before a named payment, it holds that
/// payment until a grant officer marks it met; for the life of the grant (ongoing), it holds nothing.
/// </summary>
public sealed class GrantCondition
{
    public int Id { get; set; }
    public int GrantId { get; set; }
    public int Sequence { get; set; }
    public string Text { get; set; } = "";
    /// <summary>One of <see cref="ConditionKinds.All"/>.</summary>
    public string Kind { get; set; } = ConditionKinds.Ongoing;
    /// <summary>For before-payment: the payment's number.</summary>
    public int? PaymentNumber { get; set; }
    public ConditionStatus Status { get; set; }
    /// <summary>What the grant holder wrote with their evidence.</summary>
    public string? EvidenceNote { get; set; }
    public DateTime? EvidenceSentAt { get; set; }
    /// <summary>The grant officer's reason for met or not met.</summary>
    public string? Reason { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecidedByName { get; set; }
    public int Version { get; set; }

    /// <summary>The payment number this condition must be met before, if any.</summary>
    public int? HoldsPayment => Kind switch { ConditionKinds.BeforeFirstPayment => 1, ConditionKinds.BeforePayment => PaymentNumber, _ => null };

    public bool Holds(Instalment instalment) => Status != ConditionStatus.Met && HoldsPayment == instalment.Sequence;
}

public enum ConditionStatus { Open, EvidenceSent, Met, NotMet }

public static class ConditionKinds
{
    public const string BeforeFirstPayment = "before-first-payment";
    public const string BeforePayment = "before-payment";
    public const string Ongoing = "ongoing";
    public static readonly string[] All = [BeforeFirstPayment, BeforePayment, Ongoing];

    public static string Describe(string kind, int? payment) => kind switch
    {
        BeforeFirstPayment => "Before the first payment",
        BeforePayment => $"Before payment {payment}",
        _ => "For the life of the grant",
    };

    public static string Status(ConditionStatus status) => status switch
    {
        ConditionStatus.Open => "open",
        ConditionStatus.EvidenceSent => "evidence-sent",
        ConditionStatus.Met => "met",
        _ => "not-met",
    };

    public static string StatusText(ConditionStatus status) => status switch
    {
        ConditionStatus.Open => "Waiting for evidence",
        ConditionStatus.EvidenceSent => "Evidence sent",
        ConditionStatus.Met => "Met",
        _ => "Not met",
    };
}

/// <summary>A condition as a decision sets it: its words, its kind and (before a named payment) which payment.</summary>
public sealed record OfferCondition(string Text, string Kind, int? Payment = null)
{
    public const int MaxConditions = 10;
    public const int MaxLength = 1000;

    /// <summary>Where the decision keeps the list in the case's data, beside "conditions", the words of the offer letter.</summary>
    public const string CaseField = "conditionList";

    /// <summary>Checks a decision's conditions against a payment plan of <paramref name="payments"/> payments, adding errors as conditions[i].field.</summary>
    public static List<OfferCondition> Check(IReadOnlyList<OfferCondition> given, int payments, Errors errors)
    {
        if (given.Count > MaxConditions) errors.Add("conditions", $"An offer can have up to {MaxConditions} conditions");
        var kept = new List<OfferCondition>();
        for (var i = 0; i < given.Count; i++)
        {
            var c = given[i];
            var text = c.Text?.Trim() ?? "";
            if (text.Length == 0) errors.Add($"conditions[{i}].text", $"Enter the words of condition {i + 1}");
            else if (text.Length > MaxLength) errors.Add($"conditions[{i}].text", $"Condition {i + 1} must be {MaxLength:#,0} characters or fewer");
            if (!ConditionKinds.All.Contains(c.Kind))
                errors.Add($"conditions[{i}].kind", $"Choose when condition {i + 1} must be met: before the first payment, before a named payment, or for the life of the grant");
            else if (c.Kind == ConditionKinds.BeforePayment && (c.Payment is not int p || p < 1 || p > payments))
                errors.Add($"conditions[{i}].payment", $"Condition {i + 1} is before a payment: give its number, from 1 to {payments}");
            kept.Add(new OfferCondition(text, c.Kind, c.Kind == ConditionKinds.BeforePayment ? c.Payment : null));
        }
        return kept;
    }

    /// <summary>
    /// The API's <c>conditions</c>: a plain string (one condition for the life of the grant, as before
    /// conditions had kinds) or a list of <c>{text, kind, payment?}</c>. Null when absent or blank.
    /// </summary>
    public static List<OfferCondition>? FromJson(JsonElement? json)
    {
        if (json is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        if (e.ValueKind == JsonValueKind.String)
            return string.IsNullOrWhiteSpace(e.GetString()) ? null : [new OfferCondition(e.GetString()!, ConditionKinds.Ongoing)];
        if (e.ValueKind != JsonValueKind.Array)
            throw new InputException(new Dictionary<string, string[]> { ["conditions"] = ["Conditions must be text or a list of {text, kind, payment}"] });
        var list = new List<OfferCondition>();
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(new OfferCondition(item.GetString() ?? "", ConditionKinds.Ongoing));
            else if (item.ValueKind == JsonValueKind.Object)
            {
                string? Str(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                int? payment = item.TryGetProperty("payment", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? n : null;
                if (item.TryGetProperty("payment", out var raw) && raw.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null) || raw.ValueKind == JsonValueKind.Number && payment is null)
                    throw new InputException(new Dictionary<string, string[]> { [$"conditions[{i}].payment"] = [$"Condition {i + 1}'s payment must be a whole number"] });
                list.Add(new OfferCondition(Str("text") ?? "", Str("kind") ?? "", payment));
            }
            else throw new InputException(new Dictionary<string, string[]> { [$"conditions[{i}]"] = [$"Condition {i + 1} must be text or {{text, kind, payment}}"] });
            i++;
        }
        return list;
    }

    /// <summary>The conditions as the offer letter words them, numbered, each with when it must be met.</summary>
    public static string? Words(IReadOnlyList<OfferCondition> conditions) =>
        conditions.Count == 0 ? null
        : conditions.Count == 1 && conditions[0].Kind == ConditionKinds.Ongoing ? conditions[0].Text
        : string.Join("\n", conditions.Select((c, i) => $"{i + 1}. {c.Text} ({ConditionKinds.Describe(c.Kind, c.Payment).ToLowerInvariant()})"));

    /// <summary>The conditions a decision put in the case's data: the list, or the plain words of an older decision as one ongoing condition.</summary>
    public static List<OfferCondition> FromCase(IReadOnlyDictionary<string, JsonElement> data)
    {
        if (data.TryGetValue(CaseField, out var list) && list.ValueKind == JsonValueKind.String)
            return JsonSerializer.Deserialize<List<OfferCondition>>(list.GetString()!, Json) ?? [];
        return data.TryGetValue("conditions", out var words) && words.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(words.GetString())
            ? [new OfferCondition(words.GetString()!, ConditionKinds.Ongoing)] : [];
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// The grant holder's evidence for a condition and a grant officer's judgement of it. Meeting the last
/// condition that holds a payment releases that payment to finance in the same transaction.
/// </summary>
public sealed class GrantConditionService(GrantDbContext db, WorkflowRuntime runtime, ReturnService returns, Email.Outbox outbox, TimeProvider time)
{
    public const int MaxNote = 3000;

    /// <summary>A condition with its grant, for anyone who may see the grant (another organisation's is not found).</summary>
    public async Task<(GrantCondition Condition, Grant Grant)> ForReadingAsync(int conditionId, Actor actor, CancellationToken ct = default)
    {
        var grants = returns.VisibleGrants(actor);
        var condition = await db.Set<GrantCondition>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == conditionId && grants.Any(g => g.Id == c.GrantId), ct)
            ?? throw new NotFoundException("No such condition");
        var grant = await db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.ConditionList).SingleAsync(g => g.Id == condition.GrantId, ct);
        return (condition, grant);
    }

    /// <summary>The grant holder sends their evidence: a note and any documents already added to the condition. A condition already met takes no more.</summary>
    public async Task<GrantCondition> SendEvidenceAsync(int conditionId, Actor actor, string? note, CancellationToken ct = default)
    {
        var (found, grant) = await ForReadingAsync(conditionId, actor, ct);
        if (!actor.HasRole(Roles.Applicant) || grant.OrganisationId != actor.OrganisationId) throw new ForbiddenException("Only the grant holder sends evidence");
        if (found.Status == ConditionStatus.Met) throw new ConflictException("This condition has been met, so it needs no more evidence");
        var text = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        var errors = new Errors();
        var documents = await db.Set<Attachment>().CountAsync(a => a.ConditionId == conditionId, ct);
        if (text is null && documents == 0) errors.Add("note", "Write how you have met the condition, or add a document");
        if (text is { Length: > MaxNote }) errors.Add("note", $"The note must be {MaxNote:#,0} characters or fewer");
        errors.ThrowIfAny();
        var condition = await db.Set<GrantCondition>().SingleAsync(c => c.Id == conditionId, ct);
        condition.EvidenceNote = text;
        condition.EvidenceSentAt = time.GetUtcNow().UtcDateTime;
        condition.Status = ConditionStatus.EvidenceSent;
        condition.Version++;
        // Grant officers are told, with the link; the evidence itself stays on the page.
        var organisation = await db.Organisations.Where(o => o.Id == grant.OrganisationId).Select(o => o.Name).SingleAsync(ct);
        var officers = await (from u in db.Users join ur in db.UserRoles on u.Id equals ur.UserId join r in db.Roles on ur.RoleId equals r.Id
                              where r.Name == Roles.GrantOfficer && u.EmailConfirmed orderby u.Email
                              select new Email.EmailRecipient(u.Email!, u.DisplayName)).ToListAsync(ct);
        foreach (var officer in officers)
            outbox.Add(db, "condition-evidence-staff", officer, Model(condition, grant, new() { ["organisationName"] = organisation }),
                ApplicationService.SubjectType, grant.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await SaveAsync(ct);
        return condition;
    }

    /// <summary>
    /// A grant officer records a condition met or not met (a reason is needed for not met). When the
    /// last condition holding a payment is met, the payment goes to finance.
    /// </summary>
    public async Task<GrantCondition> RecordOutcomeAsync(int grantId, int conditionId, Actor actor, string? status, string? reason, CancellationToken ct = default)
    {
        var (found, _) = await ForReadingAsync(conditionId, actor, ct);
        if (found.GrantId != grantId) throw new NotFoundException("No such condition");
        if (!actor.HasRole(Roles.GrantOfficer)) throw new ForbiddenException("Only a grant officer records whether a condition is met");
        var why = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var errors = new Errors();
        if (status is not ("met" or "not-met")) errors.Add("status", "Choose whether the condition is met or not met");
        else if (status == "not-met" && why is null) errors.Add("reason", "Enter the reason the condition is not met; the grant holder is shown it");
        if (why is { Length: > MaxNote }) errors.Add("reason", $"The reason must be {MaxNote:#,0} characters or fewer");
        errors.ThrowIfAny();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var grant = await db.Grants.Include(g => g.Instalments).Include(g => g.ConditionList).SingleAsync(g => g.Id == grantId, ct);
        var condition = grant.ConditionList.Single(c => c.Id == conditionId);
        if (condition.Version != found.Version) throw new ConflictException("The condition has changed since you opened it. Reload it to see the latest.");
        condition.Status = status == "met" ? ConditionStatus.Met : ConditionStatus.NotMet;
        condition.Reason = why;
        condition.DecidedAt = time.GetUtcNow().UtcDateTime;
        condition.DecidedByName = actor.Name;
        condition.Version++;
        var releases = false;
        var application = await db.Applications.AsNoTracking().Where(a => a.Id == grant.ApplicationId).Select(a => a.WorkflowInstanceId).SingleAsync(ct);
        var about = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == application, ct);
        foreach (var held in grant.Instalments.Where(i => i.Status == InstalmentStatus.Held && i.WorkflowInstanceId is null && i.Sequence == condition.HoldsPayment))
        {
            // Two conditions on one payment met at the same moment both touch the payment: one of them waits or is refused, never neither releasing it.
            held.Version++;
            if (condition.Status == ConditionStatus.Met && !grant.ConditionList.Any(c => c.Holds(held)))
            {
                await GrantWorkflows.ReleaseInstalmentAsync((id, subject, comment, c) => runtime.StartAsync(id, subject, Actor.System, comment, c), grant, held, about, time.GetUtcNow().UtcDateTime, ct,
                    because: $"Condition {condition.Sequence} met");
                releases = true;
            }
        }
        if (about.ContactEmail is { } contact)
            outbox.Add(db, "condition-decided", new Email.EmailRecipient(contact, about.ContactName), Model(condition, grant, new()
            {
                ["met"] = condition.Status == ConditionStatus.Met, ["outcome"] = condition.Status == ConditionStatus.Met ? "met" : "not met yet",
                ["reason"] = condition.Reason, ["releasesPayment"] = releases, ["paymentNumber"] = condition.HoldsPayment,
            }), ApplicationService.SubjectType, grant.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await SaveAsync(ct);
        await tx.CommitAsync(ct);
        return condition;
    }

    private static Dictionary<string, object?> Model(GrantCondition condition, Grant grant, Dictionary<string, object?> more)
    {
        more["sequence"] = condition.Sequence;
        more["conditionId"] = condition.Id;
        more["conditionText"] = condition.Text;
        more["grantReference"] = grant.Reference;
        return more;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { throw new ConflictException("Someone else changed this condition at the same moment. Reload to see what they did."); }
    }
}
