using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using Microsoft.Extensions.Options;

namespace GrantManager.Core.Email;

/// <summary>
/// Renders an email and adds it to the outbox in the caller's unit of work: the email is saved
/// with the change that caused it, or not at all.
/// </summary>
public sealed class Outbox(EmailTemplates templates, TimeProvider time, IOptions<CouncilOptions> council, IOptions<EmailOptions> email,
    EmailLinks? links = null)
{
    public OutboxEmail Add(Microsoft.EntityFrameworkCore.DbContext db, string template, EmailRecipient to, IDictionary<string, object?> model,
        string? subjectType = null, string? subjectId = null) =>
        AddRendered(db, template, templates.Render(template, Values(to, model)), to, subjectType, subjectId);

    /// <summary>The values every email has beside its own: the council, its contact address, the recipient's name and the service's address.</summary>
    public Dictionary<string, object?> Values(EmailRecipient to, IDictionary<string, object?> model) =>
        new(model, StringComparer.Ordinal)
        {
            ["council"] = council.Value.Name,
            ["contact_email"] = council.Value.ContactEmail,
            ["recipient_name"] = to.Name,
            ["base_url"] = links?.BaseUrl ?? (email.Value.PublicBaseUrl ?? "").TrimEnd('/'),
        };

    /// <summary>A message an officer wrote in Liquid, filled in for one recipient with the same values the file templates get.</summary>
    public OutboxEmail AddWritten(Microsoft.EntityFrameworkCore.DbContext db, string label, string subject, string body, EmailRecipient to, IDictionary<string, object?> model,
        string? subjectType = null, string? subjectId = null) =>
        AddRendered(db, label, RenderWritten(subject, body, to, model), to, subjectType, subjectId);

    /// <summary>What <see cref="AddWritten"/> would send, without sending it (for a preview).</summary>
    public RenderedEmail RenderWritten(string subject, string body, EmailRecipient to, IDictionary<string, object?> model) =>
        templates.RenderWritten(subject, body, Values(to, model));

    /// <summary>Adds an email already rendered (a test of a template not yet published).</summary>
    public OutboxEmail AddRendered(Microsoft.EntityFrameworkCore.DbContext db, string template, RenderedEmail rendered, EmailRecipient to,
        string? subjectType = null, string? subjectId = null)
    {
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
            Priority = OutboxEmail.PriorityOf(template),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.Set<OutboxEmail>().Add(message);
        return message;
    }
}

public sealed record EmailRecipient(string Address, string? Name);

/// <summary>
/// Where links in emails point: <c>Email:PublicBaseUrl</c>, or when that is empty the address this
/// server listens on (set once it has started), so the run command's emails link to wherever it serves.
/// </summary>
public sealed class EmailLinks(IOptions<EmailOptions> email)
{
    /// <summary>The server's own address, e.g. http://localhost:5123.</summary>
    public string? ServerAddress { get; set; }

    public string BaseUrl => (string.IsNullOrWhiteSpace(email.Value.PublicBaseUrl) ? ServerAddress ?? "" : email.Value.PublicBaseUrl).TrimEnd('/');

    /// <summary>
    /// The address to put in links from those a server listens on: https before http, a wildcard
    /// host (0.0.0.0, [::], +, *) as localhost; null when there is none.
    /// </summary>
    public static string? ServerAddressFrom(IEnumerable<string> addresses)
    {
        var chosen = addresses.OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? 0 : 1).FirstOrDefault();
        if (chosen is null) return null;
        chosen = System.Text.RegularExpressions.Regex.Replace(chosen, @"^(https?://)(0\.0\.0\.0|\[::\]|\+|\*)(?=[:/]|$)", "${1}localhost");
        return Uri.TryCreate(chosen, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
    }
}
