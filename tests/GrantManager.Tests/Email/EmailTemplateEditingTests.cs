using System.Net;
using GrantManager.Core.Email;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Email;

/// <summary>Administrators change the words of an email in the browser: checked, previewed with a real case, tested on themselves, published as a version every node uses.</summary>
public sealed class EmailTemplateEditingTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static string NewEmail() => $"t{Guid.NewGuid():N}"[..12] + "@example.org";
    private static string Url(string name) => $"/Admin/Templates/Edit?name={name}";

    private Task<List<EmailTemplateVersion>> VersionsAsync(string name) =>
        app.WithDbAsync(db => db.Set<EmailTemplateVersion>().Where(v => v.Name == name).OrderBy(v => v.Version).ToListAsync());

    private static string Textarea(AngleSharp.Html.Dom.IHtmlDocument page, string name) =>
        ((AngleSharp.Html.Dom.IHtmlTextAreaElement)page.QuerySelector($"textarea[name='{name}']")!).Value;

    [Fact]
    public async Task A_version_published_through_the_form_as_rendered_is_what_the_next_new_applicant_receives()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var form = await admin.GetPageAsync(Url("account-confirm"));
        var shipped = Textarea(form, "Input.Text");
        Assert.StartsWith("Subject: ", shipped);
        Assert.NotNull((await admin.GetPageAsync("/Admin/Templates")).QuerySelector("tr[data-template='account-confirm']"));

        var changed = shipped + "\n\nOur offices are closed on bank holidays, but you can register at any time.";
        var published = await admin.SubmitFormAsync(Url("account-confirm"), new() { ["Input.Text"] = changed, ["Input.Reason"] = "Bank holiday notice" });
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var v1 = Assert.Single(await VersionsAsync("account-confirm"));
        Assert.Equal((1, "Adam Administrator", "Bank holiday notice"), (v1.Version, v1.RecordedBy, v1.Reason));
        Assert.Equal(EmailTemplateVersions.Normalise(changed), v1.Text);

        // A group nobody seeded registers: its confirmation email has the new words.
        var email = NewEmail();
        await NewApplicant.RegisterAsync(app, email, "Tenterden Tea Dance");
        var message = await app.Smtp.WaitForAsync(email, "Confirm your email address");
        Assert.Contains("Our offices are closed on bank holidays", message.TextBody);

        var page = await admin.GetPageAsync(Url("account-confirm"));
        Assert.Contains("In use", page.QuerySelector("#versions tr[data-version='1']")!.TextContent);
        Assert.Equal(EmailTemplateVersions.Normalise(changed), Textarea(page, "Input.Text"));
        // Sent again unchanged, nothing more is published.
        var again = await admin.SubmitFormAsync(Url("account-confirm"));
        Assert.Equal(["Nothing has changed: change the email to publish a new version"], (await again.ReadPageAsync()).ErrorSummary());
        Assert.Single(await VersionsAsync("account-confirm"));
    }

    [Fact]
    public async Task Liquid_that_does_not_parse_is_refused_with_its_line_and_column_and_what_was_typed_stays()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        const string broken = "Subject: Your report {{ grantReference }}\n\nDear {{ recipient_name }},\n{% if dueOn %}It is due on {{ dueOn }}.\n";
        var response = await admin.SubmitFormAsync(Url("return-reminder"), new() { ["Input.Text"] = broken });
        var page = await response.ReadPageAsync();
        var error = Assert.Single(page.ErrorSummary());
        Assert.Equal("Line 4, column 40: '{% endif %}' was expected", error);
        Assert.Equal(EmailTemplateVersions.Normalise(broken), EmailTemplateVersions.Normalise(Textarea(page, "Input.Text")));
        Assert.Empty(await VersionsAsync("return-reminder"));

        var noSubject = await (await admin.SubmitFormAsync(Url("return-reminder"), new() { ["Input.Text"] = "Dear {{ recipient_name }}," })).ReadPageAsync();
        Assert.Equal(["The first line must be the subject, like 'Subject: Your application {{ reference }}'"], noSubject.ErrorSummary());
        var empty = await (await admin.SubmitFormAsync(Url("return-reminder"), new() { ["Input.Text"] = "" })).ReadPageAsync();
        Assert.Equal(["Enter the email, starting with a line 'Subject: …'"], empty.ErrorSummary());
        Assert.Empty(await VersionsAsync("return-reminder"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(Url("no-such-email"))).StatusCode);
    }

    [Fact]
    public async Task The_preview_shows_a_real_case_and_the_test_goes_only_to_the_administrator()
    {
        var today = app.Today();
        var id = await app.SubmitApplicationAsync(today.AddMonths(2), today.AddMonths(10));
        var reference = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        var admin = await app.SignedInAsync("admin@example.org");
        var form = await admin.GetPageAsync(Url("application-submitted"));
        var typed = Textarea(form, "Input.Text").Replace("Thank you for applying", "Thank you so much for applying");

        var preview = await (await admin.SubmitFormAsync(form, Url("application-submitted"),
            new() { ["Input.Text"] = typed, ["Input.CaseReference"] = reference! }, button: "Preview")).ReadPageAsync();
        Assert.Empty(preview.ErrorSummary());
        Assert.Equal($"We have received your application {reference}", preview.QuerySelector("[data-preview-subject]")!.TextContent.Trim());
        Assert.Contains("Thank you so much for applying to the Live Well Kent innovation grant for \"Befriending by phone\"", preview.QuerySelector("[data-preview-text]")!.TextContent);
        Assert.Equal(typed, EmailTemplateVersions.Normalise(Textarea(preview, "Input.Text")));

        var wrongCase = await (await admin.SubmitFormAsync(form, Url("application-submitted"),
            new() { ["Input.CaseReference"] = "LWK-1999-9999" }, button: "Preview")).ReadPageAsync();
        Assert.Equal(["There is no case with the reference LWK-1999-9999: check it, or leave it empty to use the newest case sent this email"], wrongCase.ErrorSummary());

        var before = await app.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.Template == "application-submitted"));
        var tested = await admin.SubmitFormAsync(form, Url("application-submitted"), new() { ["Input.Text"] = typed, ["Input.CaseReference"] = reference! }, button: "Send a test to me");
        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        var test = await app.Smtp.WaitForAsync("admin@example.org", $"[Test] We have received your application {reference}");
        Assert.Contains("Thank you so much for applying", test.TextBody);
        Assert.Equal(before + 1, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.Template == "application-submitted")));
        Assert.Equal(0, await app.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.Template == "application-submitted" && e.Subject.StartsWith("[Test]") && e.ToAddress != "admin@example.org")));
        Assert.Empty(await VersionsAsync("application-submitted"));
    }

    [Fact]
    public async Task Only_administrators_reach_the_templates()
    {
        var officer = await app.SignedInAsync("officer@example.org");
        var applicant = await app.SignedInAsync("applicant@example.org");
        foreach (var client in new[] { officer, applicant })
        {
            foreach (var response in new[]
            {
                await client.GetAsync("/Admin/Templates"), await client.GetAsync(Url("account-reset-code")),
                await client.PostAsync(Url("account-reset-code"), new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Text"] = "Subject: Hello" })),
            })
            {
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Contains("/Account/AccessDenied", response.Headers.Location!.OriginalString);
            }
        }
        Assert.Empty(await VersionsAsync("account-reset-code"));
    }
}

/// <summary>Two nodes over one database: a template published on one is used by the other without a restart.</summary>
public sealed class EmailTemplateNodesTests
{
    [Fact]
    public async Task A_version_published_on_one_node_is_used_by_the_other_within_seconds()
    {
        await using var first = new GrantManagerFactory();
        first.Set("Email:TemplateRefresh", "00:00:01");
        var admin = await first.SignedInAsync("admin@example.org");
        await using var second = GrantManagerFactory.After(first, clock: null).Set("Email:TemplateRefresh", "00:00:01");
        _ = second.Server;
        var templates = second.Services.GetRequiredService<EmailTemplates>();
        Assert.Equal(0, templates.VersionOf("offer-reminder"));

        var form = await admin.GetPageAsync("/Admin/Templates/Edit?name=offer-reminder");
        var text = ((AngleSharp.Html.Dom.IHtmlTextAreaElement)form.QuerySelector("textarea[name='Input.Text']")!).Value + "\n\nCall us if you need more time.";
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(form, "/Admin/Templates/Edit?name=offer-reminder", new() { ["Input.Text"] = text })).StatusCode);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (templates.VersionOf("offer-reminder") != 1 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.Equal(1, templates.VersionOf("offer-reminder"));
        Assert.Contains("Call us if you need more time.", templates.Render("offer-reminder", new Dictionary<string, object?>()).Text);
    }
}
