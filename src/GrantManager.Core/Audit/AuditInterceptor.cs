using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Funds;
using GrantManager.Core.Organisations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace GrantManager.Core.Audit;

/// <summary>
/// Writes an <see cref="AuditEntry"/> for every change to the records people edit outside the
/// workflow (which keeps its own history), in the same transaction as the change. A record created
/// gets its key only when it is inserted, so its entry is written just after, before the
/// transaction commits: the change and its audit commit together or not at all.
/// </summary>
public sealed class AuditInterceptor(AuditPerson person, TimeProvider time) : SaveChangesInterceptor
{
    /// <summary>Fields never recorded: secrets, and bookkeeping that changes on every save.</summary>
    private static readonly HashSet<string> Ignored =
    [
        nameof(User.PasswordHash), nameof(User.SecurityStamp), nameof(User.ConcurrencyStamp), nameof(User.NormalizedEmail),
        nameof(User.NormalizedUserName), nameof(User.AccessFailedCount), nameof(Application.UpdatedAt), nameof(Application.Version),
        "CreatedAt", "CreatedById", "Id", "WorkflowInstanceId",
    ];

    private sealed class Pending
    {
        public List<AuditEntry> Ready { get; } = [];
        public List<(EntityEntry Entry, AuditEntry Audit)> Created { get; } = [];
        public IDbContextTransaction? OwnTransaction { get; set; }
    }

    /// <summary>Per unit of work: what this save is to record, and whether the entries themselves are being written.</summary>
    private sealed class State
    {
        public Pending? Pending;
        public bool Writing;
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, State> _states = new();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Begin(eventData.Context) is { } pending && pending.Created.Count > 0 && eventData.Context!.Database.CurrentTransaction is null)
            pending.OwnTransaction = await eventData.Context.Database.BeginTransactionAsync(cancellationToken);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (Begin(eventData.Context) is { } pending && pending.Created.Count > 0 && eventData.Context!.Database.CurrentTransaction is null)
            pending.OwnTransaction = eventData.Context.Database.BeginTransaction();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (Finish(eventData.Context) is not { } pending) return result;
        var state = _states.GetOrCreateValue(eventData.Context!);
        state.Writing = true;
        try
        {
            await eventData.Context!.SaveChangesAsync(cancellationToken);
            if (pending.OwnTransaction is { } tx) await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            state.Writing = false;
            if (pending.OwnTransaction is { } tx) await tx.DisposeAsync();
        }
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Finish(eventData.Context) is not { } pending) return result;
        var state = _states.GetOrCreateValue(eventData.Context!);
        state.Writing = true;
        try
        {
            eventData.Context!.SaveChanges();
            pending.OwnTransaction?.Commit();
        }
        finally
        {
            state.Writing = false;
            pending.OwnTransaction?.Dispose();
        }
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Abandon(eventData.Context) is { OwnTransaction: { } tx }) await tx.DisposeAsync();
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(eventData.Context)?.OwnTransaction?.Dispose();

    private Pending? Begin(DbContext? context)
    {
        if (context is not GrantDbContext db) return null;
        var state = _states.GetOrCreateValue(db);
        if (state.Writing) return null;
        state.Pending = Collect(db);
        if (state.Pending is { } pending) db.Set<AuditEntry>().AddRange(pending.Ready);
        return state.Pending;
    }

    /// <summary>After the save: the entries of records just created, now that they have their keys; null when there are none.</summary>
    private Pending? Finish(DbContext? context)
    {
        if (context is null || !_states.TryGetValue(context, out var state) || state.Writing || state.Pending is not { } pending) return null;
        state.Pending = null;
        if (pending.Created.Count == 0) return null;
        foreach (var (entry, audit) in pending.Created)
        {
            audit.EntityId = KeyOf(entry);
            audit.SubjectId = Describe(entry.Entity)?.SubjectId ?? audit.EntityId;
        }
        context.Set<AuditEntry>().AddRange(pending.Created.Select(c => c.Audit));
        return pending;
    }

    private Pending? Abandon(DbContext? context)
    {
        if (context is null || !_states.TryGetValue(context, out var state) || state.Writing) return null;
        var pending = state.Pending;
        state.Pending = null;
        return pending;
    }

    private Pending? Collect(GrantDbContext db)
    {
        db.ChangeTracker.DetectChanges();
        var (userId, userName) = person.Current;
        var now = time.GetUtcNow().UtcDateTime;
        var pending = new Pending();
        AuditEntry New(string type, string action, string subjectType, string subjectId, List<AuditChange> changes) => new()
        {
            At = now, UserId = userId, UserName = userName, EntityType = type, Action = action,
            SubjectType = subjectType, SubjectId = subjectId, Changes = System.Text.Json.JsonSerializer.Serialize(changes, AuditChange.Json),
        };

        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList())
        {
            if (Describe(entry.Entity) is not var (type, subjectType, subjectId)) continue;
            var action = entry.State switch { EntityState.Added => "created", EntityState.Deleted => "deleted", _ => "changed" };
            var changes = new List<AuditChange>();
            if (entry.Entity is IdentityUserRole<string> role)
            {
                // A role given or taken away, by its name.
                var name = db.Roles.AsNoTracking().Where(r => r.Id == role.RoleId).Select(r => r.Name).FirstOrDefault() ?? role.RoleId;
                changes.Add(new AuditChange("Role", entry.State == EntityState.Deleted ? name : null, entry.State == EntityState.Added ? name : null));
            }
            else foreach (var p in entry.Properties.Where(p => !Ignored.Contains(p.Metadata.Name) && !p.Metadata.IsShadowProperty() && !p.Metadata.IsForeignKey()))
            {
                var (from, to) = entry.State switch
                {
                    EntityState.Added => (null, Text(p.CurrentValue, p.Metadata)),
                    EntityState.Deleted => (Text(p.OriginalValue, p.Metadata), null),
                    _ => p.IsModified ? (Text(p.OriginalValue, p.Metadata), Text(p.CurrentValue, p.Metadata)) : (null, null),
                };
                if (from != to) changes.Add(new AuditChange(Label(p.Metadata.Name), from, to));
            }
            if (entry.State == EntityState.Modified && changes.Count == 0) continue;
            var audit = New(type, action, subjectType, subjectId ?? "", changes);
            if (entry.State == EntityState.Added && (subjectId is null || entry.IsKeySet is false || entry.Properties.Any(p => p.Metadata.IsPrimaryKey() && p.IsTemporary)))
                pending.Created.Add((entry, audit));
            else
            {
                audit.EntityId = KeyOf(entry);
                if (audit.SubjectId.Length == 0) audit.SubjectId = audit.EntityId;
                pending.Ready.Add(audit);
            }
        }

        // A draft's budget, outcomes and districts are lists: record each as one field, old list → new list, as the pages show it.
        foreach (var (field, separator, lines) in new (string, string, IEnumerable<(int ApplicationId, EntityState State, string? Was, string? Now, int Before, int After)>)[]
        {
            ("Budget", "; ", Lines<BudgetLine>(db, l => l.ApplicationId, v => $"{v[nameof(BudgetLine.Item)]}: {Money.Format((decimal)v[nameof(BudgetLine.Amount)]!)}", v => 0)),
            ("Outcome targets", "; ", Lines<OutcomeTarget>(db, o => o.ApplicationId,
                v => $"{v[nameof(OutcomeTarget.MeasureCode)]}: {((decimal)v[nameof(OutcomeTarget.Target)]!).ToString("#,0.##", CultureInfo.InvariantCulture)}", v => 0)),
            ("Districts", ", ", Lines<ApplicationDistrict>(db, d => d.ApplicationId, v => (string)v[nameof(ApplicationDistrict.District)]!,
                v => (int)v[nameof(ApplicationDistrict.Position)]!)),
        })
        {
            foreach (var byApplication in lines.GroupBy(l => l.ApplicationId))
            {
                if (!byApplication.Any(l => l.State is EntityState.Added or EntityState.Deleted or EntityState.Modified)) continue;
                if (byApplication.Key == 0) continue; // a new draft's lines: the draft's own entry says it was created
                var before = string.Join(separator, byApplication.Where(l => l.Was is not null).OrderBy(l => l.Before).Select(l => l.Was));
                var after = string.Join(separator, byApplication.Where(l => l.Now is not null).OrderBy(l => l.After).Select(l => l.Now));
                if (before == after) continue;
                var id = byApplication.Key.ToString(CultureInfo.InvariantCulture);
                var audit = New("Application", "changed", "application", id, [new AuditChange(field, before.Length == 0 ? null : before, after.Length == 0 ? null : after)]);
                audit.EntityId = id;
                pending.Ready.Add(audit);
            }
        }
        return pending.Ready.Count + pending.Created.Count == 0 ? null : pending;
    }

    /// <summary>A list's rows being saved: each one's text and place before the save (null when added) and after it (null when deleted).</summary>
    private static IEnumerable<(int ApplicationId, EntityState State, string? Was, string? Now, int Before, int After)> Lines<T>(GrantDbContext db,
        Func<T, int> applicationId, Func<PropertyValues, string> text, Func<PropertyValues, int> place) where T : class =>
        db.ChangeTracker.Entries<T>().Where(e => e.State != EntityState.Detached).Select(e => (applicationId(e.Entity), e.State,
            e.State == EntityState.Added ? null : text(e.OriginalValues), e.State == EntityState.Deleted ? null : text(e.CurrentValues),
            e.State == EntityState.Added ? 0 : place(e.OriginalValues), e.State == EntityState.Deleted ? 0 : place(e.CurrentValues)));

    /// <summary>The audited records: their name, and the record whose page shows the change (null id: the record itself).</summary>
    private static (string Type, string SubjectType, string? SubjectId)? Describe(object entity) => entity switch
    {
        Application a => ("Application", "application", a.Id == 0 ? null : a.Id.ToString(CultureInfo.InvariantCulture)),
        Organisation o => ("Organisation", "organisation", o.Id == 0 ? null : o.Id.ToString(CultureInfo.InvariantCulture)),
        Fund f => ("Fund", "fund", f.Id == 0 ? null : f.Id.ToString(CultureInfo.InvariantCulture)),
        Round r => ("Round", "fund", r.FundId == 0 ? null : r.FundId.ToString(CultureInfo.InvariantCulture)),
        AssessmentCriterion c => ("Assessment criterion", "fund", c.FundId == 0 ? null : c.FundId.ToString(CultureInfo.InvariantCulture)),
        OutcomeMeasure m => ("Outcome measure", "fund", m.FundId == 0 ? null : m.FundId.ToString(CultureInfo.InvariantCulture)),
        User u => ("User", "user", u.Id),
        IdentityUserRole<string> r => ("User role", "user", r.UserId),
        _ => null,
    };

    private static string KeyOf(EntityEntry entry) =>
        string.Join("/", entry.Metadata.FindPrimaryKey()!.Properties.Select(p => Text(entry.Property(p.Name).CurrentValue)));

    /// <summary>A value as the pages show it: money in pounds, dates in UK time, yes or no.</summary>
    private static string? Text(object? value, Microsoft.EntityFrameworkCore.Metadata.IProperty property) => value switch
    {
        decimal d when property.GetValueConverter()?.ProviderClrType == typeof(long) => Money.Format(d),
        bool b => b ? "Yes" : "No",
        DateTime t => Configuration.UkTime.DateAndTime(t),
        DateOnly d => d.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        Enum e => Label(e.ToString()),
        _ => Text(value),
    };

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        decimal d => d.ToString("0.##", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("u", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("u", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>ProjectTitle → "Project title".</summary>
    private static string Label(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && (char.IsUpper(c) || char.IsDigit(c) && !char.IsDigit(name[i - 1])) ? " " + char.ToLowerInvariant(c) : c.ToString()));
}
