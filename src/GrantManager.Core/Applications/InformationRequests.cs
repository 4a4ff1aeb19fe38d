using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Applications;

/// <summary>Something staff told the applicant when completing a task: the words, who, when and with which outcome.</summary>
public sealed record ApplicantMessageView(string Text, string From, DateTime At, string Outcome);

/// <summary>A request the applicant answers (a task of theirs with one outcome), what was asked and what they sent.</summary>
public sealed record InformationExchangeView(InboxTask Task, ApplicantMessageView? Request, string? Answer, List<Attachment> Documents);

/// <summary>The messages to the applicant on an application, and each request for information with its answer and documents.</summary>
public sealed record InformationRequests(List<ApplicantMessageView> Messages, List<InformationExchangeView> Exchanges, List<Attachment> Waiting)
{
    public static async Task<InformationRequests> LoadAsync(GrantDbContext db, AttachmentStore store, int applicationId, Guid instanceId)
    {
        var tasks = await db.InboxTasks.AsNoTracking().Where(t => t.InstanceId == instanceId && t.Status != InboxTaskStatus.Cancelled)
            .OrderBy(t => t.Id).ToListAsync();
        var messages = tasks.Where(t => t.Role != Roles.Applicant && t.Status == InboxTaskStatus.Completed && MessageOf(t) is not null)
            .Select(t => new ApplicantMessageView(MessageOf(t)!, t.CompletedByName ?? "", t.CompletedAt!.Value, t.Outcome ?? ""))
            .OrderBy(m => m.At).ToList();
        var documents = await store.ForInformationAsync(applicationId);
        var exchanges = new List<InformationExchangeView>();
        var sent = new HashSet<Guid>();
        foreach (var t in tasks.Where(t => t.Role == Roles.Applicant && t.OutcomeList.Count == 1 && t.Status != InboxTaskStatus.Cancelled))
        {
            var request = messages.LastOrDefault(m => m.At <= t.CreatedAt);
            var ids = DocumentsOf(t);
            sent.UnionWith(ids);
            exchanges.Add(new InformationExchangeView(t, request, t.Status == InboxTaskStatus.Completed ? t.Comment : null,
                documents.Where(d => ids.Contains(d.Id)).ToList()));
        }
        return new InformationRequests(messages, exchanges, documents.Where(d => !sent.Contains(d.Id)).ToList());
    }

    public static string? MessageOf(InboxTask t) => t.Message();

    public static List<Guid> DocumentsOf(InboxTask t) => t.Documents();
}
