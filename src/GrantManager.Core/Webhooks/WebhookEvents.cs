using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace GrantManager.Core.Webhooks;

/// <summary>
/// The one place where changes become webhook events. Before each save it reads what the save
/// changes (an application submitted, a case's stage, a grant made, an instalment's or a return's
/// status, a fired timer) and writes a <see cref="WebhookDelivery"/> per subscribed endpoint in the same
/// unit of work, so an event exists exactly when its change does. A grant and the payments made with it
/// get their ids only when inserted: their events are written just after, before the transaction commits.
/// Services and workflow handlers raise nothing themselves.
/// </summary>
public sealed class WebhookEvents(Func<WorkflowRegistry> registry, TimeProvider time, OutboxSignal signal)
    : SaveChangesInterceptor, IDbTransactionInterceptor, Data.SaveInSets.IWatchesChanges
{
    /// <summary>An overdue reminder firing raises <c>return.overdue</c>, so its save must come through here, not in sets.</summary>
    public bool Watches(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) =>
        entry.Entity is WorkflowTimer { TimerKey: OverdueTimer } && entry.State == EntityState.Modified;

    /// <summary>The key of the signal that wakes the webhook dispatcher (an <see cref="OutboxSignal"/> of its own).</summary>
    public const string SignalKey = "webhooks";

    /// <summary>The timer of the return workflow whose firing means the return is overdue (it sends the overdue reminder).</summary>
    public const string OverdueTimer = "reminder-overdue";

    private sealed record Raised(string Type, Func<JsonObject> Data);

    private sealed class State
    {
        public List<Raised> AfterInsert = [];
        public IDbContextTransaction? OwnTransaction;
        public bool Writing;
        public bool Written;
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, State> _states = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Begin(eventData.Context) is { AfterInsert.Count: > 0 } state && eventData.Context!.Database.CurrentTransaction is null)
            state.OwnTransaction = await eventData.Context.Database.BeginTransactionAsync(cancellationToken);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (Begin(eventData.Context) is { AfterInsert.Count: > 0 } state && eventData.Context!.Database.CurrentTransaction is null)
            state.OwnTransaction = eventData.Context.Database.BeginTransaction();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not GrantDbContext db || !_states.TryGetValue(db, out var state) || state.Writing) return result;
        if (state.AfterInsert.Count > 0 && Write(db, state, state.AfterInsert))
        {
            state.AfterInsert = [];
            state.Writing = true;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                if (state.OwnTransaction is { } tx) await tx.CommitAsync(cancellationToken);
            }
            finally
            {
                state.Writing = false;
                if (state.OwnTransaction is { } tx) await tx.DisposeAsync();
                state.OwnTransaction = null;
            }
        }
        state.AfterInsert = [];
        if (db.Database.CurrentTransaction is null) Notify(state);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is not GrantDbContext db || !_states.TryGetValue(db, out var state) || state.Writing) return result;
        if (state.AfterInsert.Count > 0 && Write(db, state, state.AfterInsert))
        {
            state.AfterInsert = [];
            state.Writing = true;
            try
            {
                db.SaveChanges();
                state.OwnTransaction?.Commit();
            }
            finally
            {
                state.Writing = false;
                state.OwnTransaction?.Dispose();
                state.OwnTransaction = null;
            }
        }
        state.AfterInsert = [];
        if (db.Database.CurrentTransaction is null) Notify(state);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(eventData.Context)?.Dispose();

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Abandon(eventData.Context) is { } tx) await tx.DisposeAsync();
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && _states.TryGetValue(context, out var state)) Notify(state);
    }

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    private IDbContextTransaction? Abandon(DbContext? context)
    {
        if (context is null || !_states.TryGetValue(context, out var state) || state.Writing) return null;
        state.AfterInsert = [];
        var tx = state.OwnTransaction;
        state.OwnTransaction = null;
        return tx;
    }

    private void Notify(State state)
    {
        if (!state.Written) return;
        state.Written = false;
        signal.Notify();
    }

    private State? Begin(DbContext? context)
    {
        if (context is not GrantDbContext db) return null;
        var state = _states.GetOrCreateValue(db);
        if (state.Writing) return null;
        db.ChangeTracker.DetectChanges();
        var (now, later) = Collect(db);
        if (now.Count > 0) Write(db, state, now);
        state.AfterInsert = later;
        return state;
    }

    /// <summary>Adds a delivery of each event for every endpoint that subscribes to it; false when none does.</summary>
    private bool Write(GrantDbContext db, State state, List<Raised> raised)
    {
        var types = raised.Select(r => r.Type).Distinct().ToList();
        var endpoints = db.WebhookEndpoints.AsNoTracking().Select(e => new { e.Id, e.Events }).ToList()
            .Where(e => e.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries).Intersect(types).Any()).ToList();
        if (endpoints.Count == 0) return false;
        var at = time.GetUtcNow();
        var written = false;
        foreach (var e in raised)
        {
            var to = endpoints.Where(x => x.Events.Split(' ').Contains(e.Type)).ToList();
            if (to.Count == 0) continue;
            var eventId = Guid.CreateVersion7(at);
            var body = new JsonObject { ["type"] = e.Type, ["timestamp"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), ["data"] = e.Data() }
                .ToJsonString(Json);
            foreach (var endpoint in to)
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(at), EndpointId = endpoint.Id, EventId = eventId, EventType = e.Type, Payload = body,
                    Status = WebhookDeliveryStatus.Pending, CreatedAt = at.UtcDateTime, NextAttemptAt = at.UtcDateTime,
                });
                written = true;
            }
        }
        state.Written |= written;
        return written;
    }

    private static bool Changed<T>(EntityEntry entry, string property, Func<T?, T?, bool> test)
    {
        var p = entry.Property(property);
        return entry.State == EntityState.Added ? test(default, (T?)p.CurrentValue) : entry.State == EntityState.Modified && p.IsModified && test((T?)p.OriginalValue, (T?)p.CurrentValue);
    }

    /// <summary>The events this save raises: those whose subjects have ids now, and those written once the new rows have theirs.</summary>
    private (List<Raised> Now, List<Raised> Later) Collect(GrantDbContext db)
    {
        var now = new List<Raised>();
        var later = new List<Raised>();
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified).ToList())
        {
            switch (entry.Entity)
            {
                case Application a when entry.State == EntityState.Modified && Changed<DateTime?>(entry, nameof(Application.SubmittedAt), (was, @is) => was is null && @is is not null):
                    now.Add(new(WebhookEventTypes.ApplicationSubmitted, () => ApplicationData(db, a)));
                    break;
                case WorkflowInstance i when i.SubjectType == ApplicationService.SubjectType && Changed<string>(entry, nameof(WorkflowInstance.State), (was, @is) => was != @is):
                    var before = entry.State == EntityState.Added ? null : StatusOf(i, (string?)entry.Property(nameof(WorkflowInstance.State)).OriginalValue);
                    var after = StatusOf(i, i.State);
                    if (after is "approved" or "rejected" && before != after)
                        now.Add(new(WebhookEventTypes.ApplicationDecided, () => DecisionData(db, i, after)));
                    break;
                case Grant g when entry.State == EntityState.Added:
                    later.Add(new(WebhookEventTypes.GrantAwarded, () => GrantData(db, g)));
                    break;
                // Released once: due from scheduled or from a condition's hold; finance lifting its own hold (a reason) is not a new release.
                case Instalment p when Changed<InstalmentStatus>(entry, nameof(Instalment.Status), (was, @is) => @is == InstalmentStatus.Due && (entry.State == EntityState.Added || was != @is))
                    && !(entry.State == EntityState.Modified && entry.OriginalValues.GetValue<InstalmentStatus>(nameof(Instalment.Status)) == InstalmentStatus.Held
                         && entry.OriginalValues.GetValue<string?>(nameof(Instalment.HeldReason)) is not null):
                    (entry.State == EntityState.Added ? later : now).Add(new(WebhookEventTypes.PaymentReleased, () => PaymentData(db, p)));
                    break;
                case Instalment p when Changed<InstalmentStatus>(entry, nameof(Instalment.Status), (was, @is) => @is == InstalmentStatus.Paid && was != @is):
                    now.Add(new(WebhookEventTypes.PaymentPaid, () => PaymentData(db, p)));
                    break;
                case MonitoringReturn r when entry.State == EntityState.Modified && Changed<ReturnStatus>(entry, nameof(MonitoringReturn.Status), (was, @is) => was != @is && @is is ReturnStatus.Submitted or ReturnStatus.Accepted):
                    now.Add(new(r.Status == ReturnStatus.Submitted ? WebhookEventTypes.ReturnSubmitted : WebhookEventTypes.ReturnAccepted, () => ReturnData(db, r)));
                    break;
                case WorkflowTimer t when t.TimerKey == OverdueTimer && entry.State == EntityState.Modified
                    && Changed<WorkflowTimerStatus>(entry, nameof(WorkflowTimer.Status), (was, @is) => was == WorkflowTimerStatus.Pending && @is == WorkflowTimerStatus.Done):
                    var instance = db.WorkflowInstances.Local.FirstOrDefault(x => x.Id == t.InstanceId) ?? db.WorkflowInstances.AsNoTracking().First(x => x.Id == t.InstanceId);
                    if (GrantWorkflows.SubjectId(instance, GrantWorkflows.ReturnSubject) is int returnId)
                        now.Add(new(WebhookEventTypes.ReturnOverdue, () => ReturnData(db, db.Set<MonitoringReturn>().Local.FirstOrDefault(x => x.Id == returnId)
                            ?? db.Set<MonitoringReturn>().AsNoTracking().First(x => x.Id == returnId))));
                    break;
            }
        }
        return (now, later);
    }

    private string? StatusOf(WorkflowInstance instance, string? state) =>
        state is null ? null : registry().Find(instance.DefinitionId, instance.DefinitionVersion)?.States.GetValueOrDefault(state)?.Status;

    private static string? Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string? Moment(DateTime? at) => at?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static JsonObject Organisation(GrantDbContext db, int organisationId)
    {
        var o = db.Organisations.Local.FirstOrDefault(x => x.Id == organisationId) ?? db.Organisations.AsNoTracking().First(x => x.Id == organisationId);
        // Who the money is for, as a finance system matches suppliers: names and registered numbers, never bank details.
        return new JsonObject { ["id"] = o.Id, ["name"] = o.Name, ["charityNumber"] = o.CharityNumber, ["companyNumber"] = o.CompanyNumber };
    }

    private static (int Id, string Code) FundOf(GrantDbContext db, int fundId) =>
        (db.Funds.Local.FirstOrDefault(f => f.Id == fundId) ?? db.Funds.AsNoTracking().First(f => f.Id == fundId)) is var f ? (f.Id, f.Code) : default;

    private static JsonObject ApplicationData(GrantDbContext db, Application a)
    {
        var fund = FundOf(db, a.FundId);
        return new JsonObject
        {
            ["applicationId"] = a.Id, ["reference"] = a.Reference, ["fundId"] = fund.Id, ["fundCode"] = fund.Code,
            ["organisation"] = Organisation(db, a.OrganisationId), ["projectTitle"] = a.ProjectTitle, ["amountRequested"] = a.AmountRequested,
            ["submittedAt"] = Moment(a.SubmittedAt),
        };
    }

    private JsonObject DecisionData(GrantDbContext db, WorkflowInstance i, string status)
    {
        var id = int.Parse(i.SubjectId, CultureInfo.InvariantCulture);
        var a = db.Applications.Local.FirstOrDefault(x => x.Id == id) ?? db.Applications.AsNoTracking().First(x => x.Id == id);
        var awarded = status == "approved" ? SubjectData.Number(i.Data, "amountAwarded") : null;
        return new JsonObject
        {
            ["applicationId"] = a.Id, ["reference"] = a.Reference, ["fundId"] = a.FundId, ["organisation"] = Organisation(db, a.OrganisationId),
            ["decision"] = status, ["amountRequested"] = a.AmountRequested, ["amountAwarded"] = awarded ?? (status == "approved" ? a.AmountRequested : null),
            ["decidedAt"] = Moment(time.GetUtcNow().UtcDateTime),
        };
    }

    private static JsonObject GrantData(GrantDbContext db, Grant g)
    {
        var fund = FundOf(db, g.FundId);
        return new JsonObject
        {
            ["grantId"] = g.Id, ["reference"] = g.Reference, ["applicationId"] = g.ApplicationId, ["fundId"] = fund.Id, ["fundCode"] = fund.Code,
            ["organisation"] = Organisation(db, g.OrganisationId), ["amount"] = g.Amount, ["startDate"] = Day(g.StartDate), ["endDate"] = Day(g.EndDate),
            ["awardedAt"] = Moment(g.AwardedAt),
            ["instalments"] = new JsonArray(g.Instalments.OrderBy(i => i.Sequence).Select(i => (JsonNode)new JsonObject
            {
                ["instalmentId"] = i.Id, ["sequence"] = i.Sequence, ["amount"] = i.Amount, ["releasedBy"] = i.ReleasedBy,
                ["status"] = i.Status.ToString().ToLowerInvariant(), ["dueAt"] = Moment(i.DueAt),
            }).ToArray()),
        };
    }

    private static JsonObject PaymentData(GrantDbContext db, Instalment p)
    {
        var g = db.Grants.Local.FirstOrDefault(x => x.Id == p.GrantId) ?? db.Grants.AsNoTracking().First(x => x.Id == p.GrantId);
        return new JsonObject
        {
            ["instalmentId"] = p.Id, ["grantId"] = g.Id, ["grantReference"] = g.Reference, ["organisation"] = Organisation(db, g.OrganisationId),
            ["sequence"] = p.Sequence, ["amount"] = p.Amount, ["releasedBy"] = p.ReleasedBy, ["status"] = p.Status.ToString().ToLowerInvariant(),
            ["dueAt"] = Moment(p.DueAt), ["paidAt"] = Moment(p.PaidAt), ["paymentReference"] = p.PaymentReference,
        };
    }

    private static JsonObject ReturnData(GrantDbContext db, MonitoringReturn r)
    {
        var g = db.Grants.Local.FirstOrDefault(x => x.Id == r.GrantId) ?? db.Grants.AsNoTracking().First(x => x.Id == r.GrantId);
        return new JsonObject
        {
            ["returnId"] = r.Id, ["grantId"] = g.Id, ["grantReference"] = g.Reference, ["organisation"] = Organisation(db, g.OrganisationId),
            ["period"] = r.Period, ["dueOn"] = Day(r.DueOn), ["isFinal"] = r.IsFinal, ["releasesInstalment"] = r.ReleasesInstalment,
            ["submittedAt"] = Moment(r.SubmittedAt), ["acceptedAt"] = Moment(r.AcceptedAt),
        };
    }
}
