using GrantManager.Core.Applications;
using GrantManager.Core.Data;

namespace GrantManager.Core.Grants;

/// <summary>Which applications became grants, for the applications feature's rules on who sees what.</summary>
public sealed class AwardedApplications(GrantDbContext db) : IAwardedApplications
{
    public IQueryable<int> ApplicationIds => db.Grants.Select(g => g.ApplicationId);
}
