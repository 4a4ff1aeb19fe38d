namespace GrantManager.Core.Workflows;

/// <summary>Someone a staff task may be given to. A stand-in is offered by the host (a coordinator) because nobody holding the task's role may take it.</summary>
public sealed record TaskCandidate(string Id, string Name, bool StandIn);

/// <summary>Who may take a staff task, and whether anyone is left to take it.</summary>
public sealed record TaskEligibilityResult(IReadOnlyList<TaskCandidate> Candidates)
{
    /// <summary>Holders of the task's role who may take it.</summary>
    public IEnumerable<TaskCandidate> RoleHolders => Candidates.Where(c => !c.StandIn);
    /// <summary>Nobody holding the task's role may take it: a coordinator must assign a stand-in or set the task aside.</summary>
    public bool NobodyEligible => !RoleHolders.Any();
}
