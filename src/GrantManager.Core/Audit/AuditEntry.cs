namespace GrantManager.Core.Audit;

/// <summary>
/// One change a person (or the system) made outside the workflow's own history: a draft edited, a
/// fund or round changed, an organisation's profile updated, a user's roles changed. Who, when,
/// and each field's old and new value.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>Null for the system (timers, start-up).</summary>
    public string? UserId { get; set; }
    public string UserName { get; set; } = "";
    /// <summary>What was changed, as people say it: Application, Fund, Round, Organisation, User…</summary>
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    /// <summary>created, changed or deleted.</summary>
    public string Action { get; set; } = "";
    /// <summary>The case or record the change belongs to, so its page can show it: application 12, fund 3, organisation 7, user abc.</summary>
    public string SubjectType { get; set; } = "";
    public string SubjectId { get; set; } = "";
    /// <summary>The fields changed, as JSON: [{"field":"Project title","from":"…","to":"…"}].</summary>
    public string Changes { get; set; } = "[]";

    public IReadOnlyList<AuditChange> ChangeList =>
        System.Text.Json.JsonSerializer.Deserialize<List<AuditChange>>(Changes, AuditChange.Json) ?? [];
}

public sealed record AuditChange(string Field, string? From, string? To)
{
    internal static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);
}

/// <summary>Who is making changes in this call: the signed-in person, or the system. The host says how to find out.</summary>
public sealed class AuditPerson(Func<(string? Id, string Name)?> current)
{
    public static readonly AuditPerson System = new(() => null);
    public (string? Id, string Name) Current => current() ?? (null, "System");
}
