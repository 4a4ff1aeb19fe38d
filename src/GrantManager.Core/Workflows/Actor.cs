namespace GrantManager.Core.Workflows;

/// <summary>Who is acting: a signed-in person with their roles, or the system (timers).</summary>
public sealed record Actor(string? UserId, string Name, IReadOnlySet<string> Roles, int? OrganisationId = null)
{
    public static readonly Actor System = new(null, "System", new HashSet<string>());
    public bool IsSystem => UserId is null;
    public bool HasRole(string role) => Roles.Contains(role);
}
