using GrantManager.Core.Email;

namespace GrantManager.Core.Workflows;

/// <summary>
/// The email telling someone they have been given work: one email however many tasks were given at once
/// (a bulk assignment lists every case), none when people give a task to themselves.
/// </summary>
public static class AssignedTasksEmail
{
    public const string Template = "tasks-assigned";

    /// <summary>One task given, as the email lists it.</summary>
    public sealed record Given(long TaskId, string Title, string Reference, DateTime? DueAt);

    /// <summary>Writes the email to the outbox (sent when <paramref name="db"/> is saved); nothing when there is nothing to tell or nobody else to tell it to.</summary>
    public static void Add(Outbox outbox, Microsoft.EntityFrameworkCore.DbContext db, WorkflowPerson to, Actor by, IReadOnlyList<Given> tasks,
        string? subjectType = null, string? subjectId = null)
    {
        if (tasks.Count == 0 || to.Id == by.UserId || string.IsNullOrWhiteSpace(to.Email)) return;
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["assigned_by"] = by.Name,
            ["tasks"] = tasks.Select(t => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = t.TaskId, ["title"] = t.Title, ["reference"] = t.Reference, ["due_at"] = t.DueAt,
            }).ToList(),
        };
        outbox.Add(db, Template, new EmailRecipient(to.Email, to.Name), model, subjectType, subjectId);
    }
}
