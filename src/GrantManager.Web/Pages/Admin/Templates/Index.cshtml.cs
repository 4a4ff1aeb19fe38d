using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Admin.Templates;

/// <summary>Every email the service sends, the version in use and where each is sent from.</summary>
public sealed class IndexModel(EmailTemplates templates, WorkflowRegistry registry, GrantDbContext db) : PageModel
{
    public sealed record Row(string Name, string Subject, int Version, EmailTemplateVersion? Published, List<string> Uses);
    public List<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var published = await EmailTemplateVersions.LatestAsync(db);
        var uses = TemplateUses.Of(registry);
        Rows = templates.Names().Select(n =>
        {
            var (text, _) = templates.Source(n);
            var subject = text.Split('\n')[0];
            subject = subject.StartsWith("Subject:", StringComparison.Ordinal) ? subject["Subject:".Length..].Trim() : subject;
            return new Row(n, subject, published.GetValueOrDefault(n)?.Version ?? 0, published.GetValueOrDefault(n),
                uses.GetValueOrDefault(n) ?? (n.StartsWith("account-", StringComparison.Ordinal) ? ["Accounts: registering, signing in and passwords"] : []));
        }).ToList();
    }
}
