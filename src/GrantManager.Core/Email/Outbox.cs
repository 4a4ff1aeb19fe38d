using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.Email;

/// <summary>
/// Renders an email and adds it to the outbox in the caller's unit of work: the email is saved
/// with the change that caused it, or not at all.
/// </summary>
public sealed class Outbox(EmailTemplates templates, TimeProvider time, IOptions<CouncilOptions> council, IOptions<EmailOptions> email)
{
    public OutboxEmail Add(GrantDbContext db, string template, EmailRecipient to, IDictionary<string, object?> model,
        string? subjectType = null, string? subjectId = null)
    {
        var values = new Dictionary<string, object?>(model, StringComparer.Ordinal)
        {
            ["council"] = council.Value.Name,
            ["contact_email"] = council.Value.ContactEmail,
            ["recipient_name"] = to.Name,
            ["base_url"] = (email.Value.PublicBaseUrl ?? "").TrimEnd('/'),
        };
        var rendered = templates.Render(template, values);
        var now = time.GetUtcNow().UtcDateTime;
        var message = new OutboxEmail
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            ToAddress = to.Address,
            ToName = to.Name,
            Subject = rendered.Subject,
            TextBody = rendered.Text,
            HtmlBody = rendered.Html,
            Template = template,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.OutboxEmails.Add(message);
        return message;
    }
}

public sealed record EmailRecipient(string Address, string? Name);
