using GrantManager.Core.Email;

namespace GrantManager.Core.Workflows;

/// <summary>Someone the host knows, as the runtime needs them: to name in the history and to email.</summary>
public sealed record WorkflowPerson(string Id, string Name, string Email);

/// <summary>
/// How the host speaks of its cases and people in the runtime's messages: "application", "grant officers".
/// </summary>
/// <param name="Subject">A case, in a sentence: "application".</param>
/// <param name="Subjects">Cases: "applications".</param>
/// <param name="Party">Whoever the subject's own role stands for: "applicant".</param>
/// <param name="Coordinators">Those who coordinate the work, in a sentence: "grant officers".</param>
public sealed record WorkflowWording(string Subject, string Subjects, string Party, string Coordinators)
{
    /// <summary>One coordinator, with its article: "a grant officer".</summary>
    public string ACoordinator => Data.Roles.WithArticle(Coordinators.EndsWith('s') ? Coordinators[..^1] : Coordinators);
}

/// <summary>
/// What the runtime asks of the service it runs in. Definitions name roles; the host says which roles
/// exist, which one acts for the subject itself (its tasks belong to the subject's organisation), who
/// oversees and who coordinates the work, who may take a task, who holds a role, and the words for all of
/// them. The runtime names no role and no kind of case of its own.
/// </summary>
public interface IWorkflowParticipants
{
    /// <summary>Every role a definition may name (the loader refuses others).</summary>
    IReadOnlyCollection<string> Roles { get; }
    /// <summary>The role whose tasks and actions belong to the subject's own organisation.</summary>
    string SubjectRole { get; }
    WorkflowWording Wording { get; }
    /// <summary>A role as people read it: "Grant officer".</summary>
    string DescribeRole(string role);
    /// <summary>May know of every task and give tasks to people.</summary>
    bool Oversees(Actor actor);
    /// <summary>May put anyone's task back in the pool, set tasks aside, and stand in when nobody holding a task's role may take it.</summary>
    bool Coordinates(Actor actor);
    /// <summary>Who may take a staff task, and whether anyone holding its role is left (the assignment policy).</summary>
    Task<TaskEligibilityResult> EligibilityAsync(InboxTask task, CancellationToken ct);
    /// <summary>Everyone holding a role who can be emailed, in a stable order.</summary>
    Task<IReadOnlyList<EmailRecipient>> RoleHoldersAsync(string role, CancellationToken ct);
    Task<WorkflowPerson?> FindAsync(string userId, CancellationToken ct);
}
