using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Email;

/// <summary>
/// One published version of an email template, made in the browser. The file in <c>workflows/templates</c>
/// is the shipped version (version 0); each version published here replaces it on every node, and
/// earlier versions are kept.
/// </summary>
public sealed class EmailTemplateVersion
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public int Version { get; set; }
    /// <summary>The text template, its first line <c>Subject: …</c>.</summary>
    public string Text { get; set; } = "";
    /// <summary>The HTML template, when the email has its own; otherwise the HTML is made from the text.</summary>
    public string? Html { get; set; }
    public DateTime RecordedAt { get; set; }
    public string? RecordedById { get; set; }
    public string RecordedBy { get; set; } = "";
    public string? Reason { get; set; }
}

/// <summary>What an administrator sends to publish a template: the text (with its subject line), the HTML if any, and why.</summary>
public sealed record TemplateDraft(string? Text, string? Html, string? Reason);

/// <summary>
/// Publishes email templates made in the browser. Each is parsed before it is stored, and a problem is
/// named with its line and column; nothing is stored unless the template would render. Every node
/// picks up a new version within <see cref="EmailOptions.TemplateRefresh"/>.
/// </summary>
public sealed class EmailTemplateVersions(GrantDbContext db, EmailTemplates templates, TimeProvider time)
{
    public const int MaxLength = 50_000;

    public Task<List<EmailTemplateVersion>> HistoryAsync(string name, CancellationToken ct = default) =>
        db.Set<EmailTemplateVersion>().AsNoTracking().Where(v => v.Name == name).OrderByDescending(v => v.Version).ToListAsync(ct);

    /// <summary>The newest version of each template made in the browser.</summary>
    public static async Task<Dictionary<string, EmailTemplateVersion>> LatestAsync(GrantDbContext db, CancellationToken ct = default)
    {
        var all = await db.Set<EmailTemplateVersion>().AsNoTracking()
            .Where(v => v.Version == db.Set<EmailTemplateVersion>().Where(x => x.Name == v.Name).Max(x => x.Version))
            .ToListAsync(ct);
        return all.ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    /// <summary>Every problem with a draft, keyed by field (<c>text</c>, <c>html</c>, <c>reason</c>); empty when it may be published.</summary>
    public static Errors Check(TemplateDraft draft)
    {
        var errors = new Errors();
        var text = Normalise(draft.Text);
        if (text.Length == 0) errors.Add("text", "Enter the email, starting with a line 'Subject: …'");
        else if (text.Length > MaxLength) errors.Add("text", $"The email must be {MaxLength:#,0} characters or fewer");
        else
        {
            if (!text.StartsWith("Subject:", StringComparison.Ordinal) || text.Split('\n')[0]["Subject:".Length..].Trim().Length == 0)
                errors.Add("text", "The first line must be the subject, like 'Subject: Your application {{ reference }}'");
            if (EmailTemplates.ParseProblem(text) is { } problem) errors.Add("text", problem);
        }
        var html = Normalise(draft.Html);
        if (html.Length > MaxLength) errors.Add("html", $"The HTML must be {MaxLength:#,0} characters or fewer");
        else if (html.Length > 0 && EmailTemplates.ParseProblem(html) is { } problem) errors.Add("html", problem);
        if (draft.Reason?.Trim().Length > 500) errors.Add("reason", "The reason must be 500 characters or fewer");
        return errors;
    }

    /// <summary>Publishes a new version of a shipped template; refused, naming the field, if anything is wrong or nothing changed.</summary>
    public async Task<EmailTemplateVersion> PublishAsync(string name, TemplateDraft draft, Actor actor, CancellationToken ct = default)
    {
        if (!templates.Exists(name)) throw new NotFoundException($"There is no email template called '{name}'");
        var errors = Check(draft);
        var text = Normalise(draft.Text);
        var html = Normalise(draft.Html) is { Length: > 0 } h ? h : null;
        var current = templates.Source(name);
        if (!errors.Any && current.Text == text && current.Html == html)
            errors.Add("text", "Nothing has changed: change the email to publish a new version");
        errors.ThrowIfAny();
        var latest = await db.Set<EmailTemplateVersion>().Where(v => v.Name == name).MaxAsync(v => (int?)v.Version, ct) ?? 0;
        var version = new EmailTemplateVersion
        {
            Name = name, Version = latest + 1, Text = text, Html = html, RecordedAt = time.GetUtcNow().UtcDateTime,
            RecordedById = actor.UserId, RecordedBy = actor.Name, Reason = string.IsNullOrWhiteSpace(draft.Reason) ? null : draft.Reason.Trim(),
        };
        db.Add(version);
        // Two administrators publishing at once: the unique (name, version) index refuses the second.
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw new ConflictException("Someone else published this template a moment ago: reload the page to see their version");
        }
        templates.Use(await LatestAsync(db, ct));
        return version;
    }

    /// <summary>Line endings as Unix, trailing spaces at the end trimmed, so a browser's CRLF never makes a new version.</summary>
    public static string Normalise(string? text) => (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n').TrimEnd();
}
