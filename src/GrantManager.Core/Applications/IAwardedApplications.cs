namespace GrantManager.Core.Applications;

/// <summary>
/// The applications that became grants: finance officers see those. Applications ask it in their own
/// words and the grants feature answers it, so applications need not know what a grant is.
/// </summary>
public interface IAwardedApplications
{
    /// <summary>The ids of applications with a grant, as a query the caller's query can use.</summary>
    IQueryable<int> ApplicationIds { get; }
}
