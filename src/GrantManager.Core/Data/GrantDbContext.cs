using GrantManager.Core.Email;
using GrantManager.Core.Funds;
using GrantManager.Core.Organisations;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GrantManager.Core.Data;

/// <summary>
/// GrantManager's data. Each database engine has a derived context that owns its migrations
/// (<see cref="SqliteGrantDbContext"/>, <see cref="PostgresGrantDbContext"/>); code asks for this one.
/// </summary>
public abstract class GrantDbContext(DbContextOptions options) : IdentityDbContext<User>(options)
{
    /// <summary>Set when a save adds email, so the dispatcher can be woken once it is committed.</summary>
    internal bool OutboxPending { get; set; }

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Fund> Funds => Set<Fund>();
    public DbSet<Round> Rounds => Set<Round>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<Applications.Application> Applications => Set<Applications.Application>();
    public DbSet<Applications.ApplicationDistrict> ApplicationDistricts => Set<Applications.ApplicationDistrict>();
    public DbSet<AssessmentCriterion> Criteria => Set<AssessmentCriterion>();
    public DbSet<Grants.Grant> Grants => Set<Grants.Grant>();
    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();
    public DbSet<OutcomeMeasure> OutcomeMeasures => Set<OutcomeMeasure>();
    public DbSet<WorkflowInstance> WorkflowInstances => Set<WorkflowInstance>();
    public DbSet<WorkflowHistoryEntry> WorkflowHistory => Set<WorkflowHistoryEntry>();
    public DbSet<InboxTask> InboxTasks => Set<InboxTask>();
    public DbSet<InboxTaskExclusion> InboxTaskExclusions => Set<InboxTaskExclusion>();
    public DbSet<WorkflowTimer> WorkflowTimers => Set<WorkflowTimer>();
    public DbSet<WorkflowIncident> WorkflowIncidents => Set<WorkflowIncident>();
    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Money is pence in a long: it sorts, sums and indexes the same on every engine.
        configurationBuilder.Properties<decimal>().HaveConversion<PenceConverter>();
        // Times are UTC everywhere; SQLite hands them back unspecified, Npgsql insists on UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<User>(e =>
        {
            e.Property(u => u.DisplayName).HasMaxLength(200);
            e.HasOne(u => u.Organisation).WithMany().HasForeignKey(u => u.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Organisation>(e =>
        {
            e.Property(o => o.Name).HasMaxLength(200);
            e.HasIndex(o => o.Name);
        });
        builder.Entity<Fund>(e =>
        {
            e.Property(f => f.Code).HasMaxLength(10);
            e.HasIndex(f => f.Code).IsUnique();
            e.Property(f => f.Name).HasMaxLength(200);
            e.Property(f => f.WorkflowId).HasMaxLength(100);
            e.Property(f => f.PaymentPlan).HasMaxLength(200);
        });
        builder.Entity<Round>(e =>
        {
            e.HasOne(r => r.Fund).WithMany(f => f.Rounds).HasForeignKey(r => r.FundId);
            e.HasIndex(r => new { r.FundId, r.OpensAt });
        });
        builder.Entity<Webhooks.WebhookEndpoint>(e =>
        {
            e.Property(w => w.Url).HasMaxLength(2000);
            e.Property(w => w.Events).HasMaxLength(400);
            e.Property(w => w.Secret).HasMaxLength(100);
            e.Property(w => w.Description).HasMaxLength(200);
            e.Property(w => w.CreatedBy).HasMaxLength(256);
            e.Property(w => w.SecretRevealTo).HasMaxLength(450);
            e.Ignore(w => w.EventList);
        });
        builder.Entity<Webhooks.WebhookDelivery>(e =>
        {
            e.Property(d => d.EventType).HasMaxLength(40);
            e.Property(d => d.LastError).HasMaxLength(2000);
            e.Ignore(d => d.MessageId);
            e.HasOne<Webhooks.WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
            // The dispatcher's claim, and each endpoint's list newest first.
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            e.HasIndex(d => d.LeaseOwner);
            e.HasIndex(d => new { d.EndpointId, d.CreatedAt });
        });
        builder.Entity<OutboxEmail>(e =>
        {
            e.Property(m => m.ToAddress).HasMaxLength(320);
            e.Property(m => m.Template).HasMaxLength(100);
            e.Property(m => m.SubjectType).HasMaxLength(40);
            e.Property(m => m.SubjectId).HasMaxLength(40);
            // The dispatcher's claim: what is pending, account emails first, then by when it is due.
            e.HasIndex(m => new { m.Status, m.Priority, m.NextAttemptAt });
            // A claim reads back what it took by its owner.
            e.HasIndex(m => m.LeaseOwner);
            e.HasIndex(m => new { m.SubjectType, m.SubjectId });
        });
        builder.Entity<WorkflowInstance>(e =>
        {
            e.Property(i => i.DefinitionId).HasMaxLength(100);
            e.Property(i => i.SubjectType).HasMaxLength(40);
            e.Property(i => i.SubjectId).HasMaxLength(40);
            e.Property(i => i.State).HasMaxLength(100);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasIndex(i => new { i.SubjectType, i.SubjectId });
            e.HasIndex(i => new { i.DefinitionId, i.State });
            e.HasIndex(i => i.CaseId);
        });
        builder.Entity<WorkflowHistoryEntry>(e =>
        {
            e.HasIndex(h => new { h.InstanceId, h.Id });
            e.HasOne<WorkflowInstance>().WithMany().HasForeignKey(h => h.InstanceId);
        });
        builder.Entity<InboxTask>(e =>
        {
            e.HasOne(t => t.Instance).WithMany().HasForeignKey(t => t.InstanceId);
            e.Property(t => t.Role).HasMaxLength(40);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => new { t.Status, t.Role, t.DueAt });
            e.HasIndex(t => new { t.InstanceId, t.StageEntry });
            // The work lists: a staff task held by someone, and staff tasks by role, each with every column the list's counts
            // read. Filtered on the role so that only a query saying "not the applicant's" can use them: on SQLite, without
            // statistics, a look-up of one case's open tasks would otherwise go through them instead of the case's index.
            e.HasIndex(t => new { t.Status, t.AssigneeId, t.Role, t.DueAt, t.State }, "IX_InboxTasks_Held").HasFilter("\"Role\" <> 'Applicant'");
            e.HasIndex(t => new { t.Status, t.Role, t.AssigneeId, t.DueAt, t.TaskKey, t.State, t.InstanceId, t.StageEntry }, "IX_InboxTasks_ByRole")
                .HasFilter("\"Role\" <> 'Applicant'");
            // The other copies of a task and who holds or did them, without reading their rows.
            e.HasIndex(t => new { t.InstanceId, t.StageEntry, t.TaskKey, t.AssigneeId, t.CompletedById }, "IX_InboxTasks_Copies");
            e.HasMany(t => t.Exclusions).WithOne().HasForeignKey(x => x.TaskId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<InboxTaskExclusion>(e =>
        {
            e.ToTable("InboxTaskExclusions");
            e.HasKey(x => new { x.TaskId, x.UserId });
            e.Property(x => x.UserId).HasMaxLength(450);
            // The tasks a person may not take, for the tasks nobody may take: read from the role's holders.
            e.HasIndex(x => new { x.UserId, x.TaskId });
        });
        builder.Entity<WorkflowTimer>(e =>
        {
            e.HasOne<WorkflowInstance>().WithMany().HasForeignKey(t => t.InstanceId);
            e.HasOne(t => t.Task).WithMany().HasForeignKey(t => t.TaskId);
            e.HasIndex(t => new { t.Status, t.RunAt });
            e.HasIndex(t => new { t.InstanceId, t.Status });
            e.HasIndex(t => t.LeaseOwner);
        });
        builder.Entity<WorkflowIncident>(e => e.HasIndex(i => i.ResolvedAt));
        builder.Entity<Audit.AuditEntry>(e =>
        {
            e.Ignore(a => a.ChangeList);
            e.Property(a => a.EntityType).HasMaxLength(40);
            e.Property(a => a.EntityId).HasMaxLength(100);
            e.Property(a => a.Action).HasMaxLength(20);
            e.Property(a => a.SubjectType).HasMaxLength(40);
            e.Property(a => a.SubjectId).HasMaxLength(100);
            e.Property(a => a.UserName).HasMaxLength(256);
            e.HasIndex(a => new { a.SubjectType, a.SubjectId, a.Id });
            e.HasIndex(a => a.At);
        });
        builder.Entity<Applications.Attachment>(e =>
        {
            e.HasOne<Applications.Application>().WithMany().HasForeignKey(a => a.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            e.Property(a => a.FileName).HasMaxLength(200);
            e.Property(a => a.Kind).HasMaxLength(20);
            e.HasOne<Monitoring.MonitoringReturn>().WithMany().HasForeignKey(a => a.ReturnId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Grants.GrantCondition>().WithMany().HasForeignKey(a => a.ConditionId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Grants.Grant>(e =>
        {
            e.HasIndex(g => g.ApplicationId).IsUnique();
            e.HasIndex(g => g.OrganisationId);
            // The grants register's default order (newest awarded first) and a fund's grants for its dashboard and quarterly report.
            e.HasIndex(g => new { g.AwardedAt, g.Id });
            e.HasIndex(g => new { g.FundId, g.AwardedAt });
            e.Property(g => g.Reference).HasMaxLength(20);
            e.Property(g => g.RepaymentReference).HasMaxLength(50);
            e.Property(g => g.EndReason).HasMaxLength(500);
            e.Property(g => g.EndedByName).HasMaxLength(200);
            e.HasOne<Applications.Application>().WithMany().HasForeignKey(g => g.ApplicationId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(g => g.Instalments).WithOne().HasForeignKey(i => i.GrantId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(g => g.Targets).WithOne().HasForeignKey(t => t.GrantId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(g => g.Returns).WithOne().HasForeignKey(r => r.GrantId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(g => g.ConditionList).WithOne().HasForeignKey(c => c.GrantId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(g => g.Variations).WithOne().HasForeignKey(v => v.GrantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Grants.GrantVariation>(e =>
        {
            e.ToTable("GrantVariations");
            e.HasIndex(v => new { v.GrantId, v.Sequence }).IsUnique();
            e.Property(v => v.Reason).HasMaxLength(3000);
            e.Property(v => v.RequestedByName).HasMaxLength(256);
            e.Property(v => v.DecidedByName).HasMaxLength(256);
            e.Property(v => v.DecisionMessage).HasMaxLength(5000);
            e.Property(v => v.NewBudget).HasMaxLength(10000);
            e.Property(v => v.NewTargets).HasMaxLength(4000);
            e.Property(v => v.BudgetBefore).HasMaxLength(10000);
            e.Property(v => v.TargetsBefore).HasMaxLength(4000);
            e.Property(v => v.Replanned).HasMaxLength(4000);
            e.Property(v => v.Version).IsConcurrencyToken();
            e.Ignore(v => v.BudgetBeforeLines);
            e.Ignore(v => v.BudgetAfterLines);
            e.Ignore(v => v.TargetsBeforeMap);
            e.Ignore(v => v.TargetsAfterMap);
        });
        builder.Entity<Grants.Instalment>(e =>
        {
            e.Property(i => i.Version).IsConcurrencyToken();
            e.Property(i => i.HeldReason).HasMaxLength(3000);
            e.Property(i => i.FailureReason).HasMaxLength(3000);
        });
        builder.Entity<Grants.GrantCondition>(e =>
        {
            e.ToTable("GrantConditions");
            e.Property(c => c.Kind).HasMaxLength(30);
            e.Property(c => c.Text).HasMaxLength(1000);
            e.Property(c => c.EvidenceNote).HasMaxLength(3000);
            e.Property(c => c.Reason).HasMaxLength(3000);
            e.Property(c => c.DecidedByName).HasMaxLength(256);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasIndex(c => new { c.GrantId, c.Sequence }).IsUnique();
        });
        builder.Entity<Monitoring.MonitoringReturn>(e =>
        {
            e.Property(r => r.Period).HasMaxLength(100);
            e.HasIndex(r => new { r.Status, r.DueAt });
            // The late returns (by the day they were due, or the new day after changes were asked for), counted without reading their rows.
            e.HasIndex(r => new { r.Status, r.ChangesDueOn, r.DueOn, r.GrantId }, "IX_MonitoringReturn_Late");
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasMany(r => r.Spend).WithOne().HasForeignKey(x => x.ReturnId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.Actuals).WithOne().HasForeignKey(x => x.ReturnId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<WorkflowDefinitionVersion>(e =>
        {
            e.ToTable("WorkflowDefinitionVersions");
            e.Property(v => v.DefinitionId).HasMaxLength(100);
            e.HasIndex(v => new { v.DefinitionId, v.Version }).IsUnique();
            e.Property(v => v.Source).HasMaxLength(20);
            e.Property(v => v.PublishedBy).HasMaxLength(200);
            e.Property(v => v.Reason).HasMaxLength(500);
        });
        builder.Entity<Email.EmailTemplateVersion>(e =>
        {
            e.ToTable("EmailTemplateVersions");
            e.Property(v => v.Name).HasMaxLength(100);
            e.HasIndex(v => new { v.Name, v.Version }).IsUnique();
            e.Property(v => v.RecordedBy).HasMaxLength(200);
            e.Property(v => v.Reason).HasMaxLength(500);
        });
        builder.Entity<SocialValue.ProxyVersion>(e =>
        {
            e.ToTable("SocialValueProxies");
            e.Property(v => v.MeasureCode).HasMaxLength(100);
            e.HasIndex(v => new { v.MeasureCode, v.Version }).IsUnique();
            e.Property(v => v.Unit).HasMaxLength(100);
            e.Property(v => v.Source).HasMaxLength(500);
            e.Property(v => v.Licence).HasMaxLength(200);
            e.Property(v => v.RecordedBy).HasMaxLength(200);
            e.Property(v => v.Reason).HasMaxLength(500);
        });
        builder.Entity<Panels.PanelMeeting>(e =>
        {
            e.ToTable("PanelMeetings");
            e.Property(m => m.Title).HasMaxLength(200);
            e.Property(m => m.CreatedById).HasMaxLength(450);
            e.Property(m => m.CreatedByName).HasMaxLength(256);
            e.Property(m => m.DecidedByName).HasMaxLength(256);
            e.Property(m => m.Version).IsConcurrencyToken();
            e.Ignore(m => m.Chair);
            e.Ignore(m => m.Decided);
            e.HasOne<Round>().WithMany().HasForeignKey(m => m.RoundId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(m => m.Members).WithOne().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(m => m.Items).WithOne().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => new { m.RoundId, m.MeetsOn });
        });
        builder.Entity<Panels.PanelMember>(e =>
        {
            e.ToTable("PanelMembers");
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.Name).HasMaxLength(256);
            e.HasIndex(x => new { x.MeetingId, x.UserId }).IsUnique();
            e.HasIndex(x => x.UserId);
        });
        builder.Entity<Panels.PanelItem>(e =>
        {
            e.ToTable("PanelItems");
            e.Property(x => x.Outcome).HasMaxLength(20);
            e.Property(x => x.Conditions).HasMaxLength(3000);
            e.Property(x => x.MessageToApplicant).HasMaxLength(5000);
            e.Property(x => x.Note).HasMaxLength(4000);
            e.HasOne<Applications.Application>().WithMany().HasForeignKey(x => x.ApplicationId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Views).WithOne().HasForeignKey(v => v.ItemId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.MeetingId, x.ApplicationId }).IsUnique();
            e.HasIndex(x => x.TaskId);
        });
        builder.Entity<Panels.PanelView>(e =>
        {
            e.ToTable("PanelViews");
            e.Property(v => v.UserId).HasMaxLength(450);
            e.Property(v => v.Name).HasMaxLength(256);
            e.Property(v => v.View).HasMaxLength(20);
            e.Property(v => v.Comment).HasMaxLength(3000);
            e.HasIndex(v => new { v.ItemId, v.UserId }).IsUnique();
        });
        builder.Entity<AssessmentCriterion>(e => e.HasOne<Fund>().WithMany(f => f.Criteria).HasForeignKey(c => c.FundId));
        builder.Entity<OutcomeMeasure>(e =>
        {
            e.HasOne<Fund>().WithMany(f => f.Measures).HasForeignKey(m => m.FundId);
            e.HasIndex(m => new { m.FundId, m.Code }).IsUnique();
        });
        builder.Entity<Applications.Application>(e =>
        {
            e.HasIndex(a => a.Reference).IsUnique();
            e.HasIndex(a => a.OrganisationId);
            // The register's default order (newest submitted first), its counts per status, and the triggers that keep WorkflowState.
            e.HasIndex(a => new { a.SubmittedAt, a.Id });
            e.HasIndex(a => a.WorkflowState);
            e.HasIndex(a => a.WorkflowInstanceId);
            // A fund's applications counted, filtered and sorted from the index alone, without reading their rows (it serves the fund's foreign key too).
            e.HasIndex(a => new { a.FundId, a.WorkflowState, a.AmountRequested, a.SubmittedAt, a.RoundId });
            e.Property(a => a.WorkflowState).HasMaxLength(100);
            e.Property(a => a.WorkflowState).Metadata.SetBeforeSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
            e.Property(a => a.WorkflowState).Metadata.SetAfterSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
            e.HasOne(a => a.Fund).WithMany().HasForeignKey(a => a.FundId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.Round).WithMany().HasForeignKey(a => a.RoundId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.Organisation).WithMany().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(a => a.Budget).WithOne().HasForeignKey(l => l.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(a => a.Outcomes).WithOne().HasForeignKey(o => o.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(a => a.Districts).WithOne().HasForeignKey(d => d.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            // An application is never read without its districts.
            e.Navigation(a => a.Districts).AutoInclude();
            e.Property(a => a.Reference).HasMaxLength(20);
            e.Property(a => a.ProjectTitle).HasMaxLength(150);
            e.Property(a => a.Version).IsConcurrencyToken();
            e.Ignore(a => a.DistrictList);
        });
        builder.Entity<Applications.ApplicationDistrict>(e =>
        {
            e.ToTable("ApplicationDistricts");
            e.HasKey(d => new { d.ApplicationId, d.District });
            e.Property(d => d.District).HasMaxLength(100);
            // The registers' district filter: the applications serving a district, from the index alone.
            e.HasIndex(d => new { d.District, d.ApplicationId });
        });
    }
}

public sealed class SqliteGrantDbContext(DbContextOptions<SqliteGrantDbContext> options) : GrantDbContext(options);

public sealed class PostgresGrantDbContext(DbContextOptions<PostgresGrantDbContext> options) : GrantDbContext(options);

internal sealed class PenceConverter() : ValueConverter<decimal, long>(
    pounds => (long)decimal.Round(pounds * 100m, MidpointRounding.AwayFromZero),
    pence => pence / 100m);

internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
