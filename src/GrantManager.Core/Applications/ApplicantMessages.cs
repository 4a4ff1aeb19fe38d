using GrantManager.Core.Data;
using GrantManager.Core.Workflows;

namespace GrantManager.Core.Applications;

/// <summary>
/// Which task outcomes reach the applicant (their next stage emails them), and which of those must say
/// something to them: the reasons for a refusal, the information needed, what to change in a report.
/// </summary>
public static class ApplicantMessages
{
    /// <summary>The outcomes of the task whose next stage sends the applicant an email, in the task's order.</summary>
    public static IReadOnlyList<string> OutcomesThatReachApplicant(WorkflowDefinition definition, InboxTask task)
    {
        if (!definition.States.TryGetValue(task.State, out var state)) return [];
        return task.OutcomeList.Where(o => state.Transitions.Where(t => t.Trigger == o)
                .Any(t => definition.States.TryGetValue(t.To, out var next) && next.Emails.Concat(next.Tasks.SelectMany(k => k.Emails))
                    .Any(e => e.To is "applicant" or "role:" + Roles.Applicant)))
            .ToList();
    }

    /// <summary>Outcomes that must tell the applicant why, or what is wanted.</summary>
    public static bool MustTell(string outcome) => outcome is "reject" or "ineligible" or "more-information-needed" or "request-changes";

    public static string WhatToTell(string outcome) => outcome switch
    {
        "more-information-needed" => "Say what information you need",
        "request-changes" => "Say what needs to change: the grant holder will see it",
        _ => "Give the reasons: the applicant will see them",
    };
}
