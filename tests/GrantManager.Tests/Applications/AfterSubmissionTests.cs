using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using GrantManager.Web;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>
/// What the applicant sees and is sent after submitting: requests for more information answered with
/// documents, the offer's terms before accepting, a confirmed withdrawal, the printable copy, and
/// messages to the applicant kept apart from the officers' notes for the file.
/// </summary>
public sealed class AfterSubmissionTests : IAsyncLifetime
{
    private const string Contact = "lwk-grants@kent.example";
    private const string Applicant = "applicant@example.org";
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private readonly GrantManagerFactory _app = new GrantManagerFactory().Set("Council:ContactEmail", Contact);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private const string CompleteForm = "form[action*='handler=Complete']";

    private Task<List<Core.Email.OutboxEmail>> EmailsToAsync(string address) =>
        _app.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(m => m.ToAddress == address).OrderBy(m => m.CreatedAt).ToListAsync());

    [Fact]
    public async Task A_request_for_information_shows_on_the_applicants_page_and_the_answer_carries_a_document_the_officer_can_download()
    {
        var id = await _app.SubmitApplicationAsync(Start, End);
        var officer = await _app.SignedInAsync("officer@example.org");
        var check = (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        var taskPage = await officer.GetPageAsync($"/Staff/Tasks/{check.Id}");
        Assert.Contains("Only council staff see this", taskPage.QuerySelector("#Input_Comment-hint")!.TextContent);
        Assert.Contains("Not eligible, More information needed", taskPage.QuerySelector("#Input_MessageToApplicant-hint")!.TextContent.Replace("Ineligible", "Not eligible"));

        // On the page a note for the file is not a request: the message to the applicant is asked for, and the note is kept.
        var noteOnly = await officer.SubmitFormAsync($"/Staff/Tasks/{check.Id}", new()
        {
            ["Input.Outcome"] = "more-information-needed", ["Input.Comment"] = "File note: their DBS checks look out of date.",
        }, CompleteForm);
        var refused = await noteOnly.ReadPageAsync();
        Assert.Equal(["Say what information you need"], refused.ErrorSummary());
        Assert.NotNull(refused.QuerySelector("#Input_MessageToApplicant-error"));
        Assert.Equal("File note: their DBS checks look out of date.", refused.QuerySelector("#Input_Comment")!.TextContent);
        Assert.Empty(await EmailsToAsync(Applicant).ContinueWith(t => t.Result.Where(m => m.Subject.StartsWith("We need more information")).ToList()));

        var asked = await officer.SubmitFormAsync($"/Staff/Tasks/{check.Id}", new()
        {
            ["Input.Outcome"] = "more-information-needed",
            ["Input.MessageToApplicant"] = "Please send your safeguarding policy.",
            ["Input.Comment"] = "File note: their DBS checks look out of date.",
        }, CompleteForm);
        Assert.Equal(HttpStatusCode.Redirect, asked.StatusCode);
        var done = await _app.WithDbAsync(db => db.InboxTasks.AsNoTracking().SingleAsync(t => t.Id == check.Id));
        Assert.Equal("File note: their DBS checks look out of date.", done.Comment);
        Assert.Equal("Please send your safeguarding policy.", GrantManager.Core.Applications.InformationRequests.MessageOf(done));

        // The request is on the applicant's page: what, who, when and by when.
        var applicant = await _app.SignedInAsync(Applicant);
        var url = $"/Applicant/Applications/{id}";
        var page = await applicant.GetPageAsync(url);
        var request = page.QuerySelector("#information-request")!.TextContent;
        var answerTask = (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        Assert.Contains("Please send your safeguarding policy.", request);
        Assert.Contains("Olivia Officer", request);
        Assert.Contains(Formats.DateAndTime(done.CompletedAt!.Value), request);
        Assert.Contains(Formats.Date(answerTask.DueAt!.Value), request);
        Assert.DoesNotContain("DBS", page.Body!.TextContent);
        Assert.Contains(Contact, page.Body.TextContent);

        // The email has the request and the council's address, never the note.
        var email = (await EmailsToAsync(Applicant)).Single(m => m.Subject.StartsWith("We need more information"));
        Assert.Contains("Please send your safeguarding policy.", email.TextBody);
        Assert.Contains(Contact, email.TextBody);
        Assert.DoesNotContain("DBS", email.TextBody);

        // A document that is not what it says is refused by name, and what was typed stays.
        var fake = await applicant.SubmitFormWithFileAsync(url, "#answer-form", new() { ["Input.Comment"] = "Attached." }, "Upload", "policy.pdf", "not a pdf"u8.ToArray(), "Send your answer");
        Assert.Equal(HttpStatusCode.OK, fake.StatusCode);
        var fakePage = await fake.ReadPageAsync();
        Assert.Contains("The file is not really a PDF file", fakePage.ErrorSummary());
        Assert.Equal("Attached.", fakePage.QuerySelector("#Input_Comment")!.TextContent);

        // Adding a document first keeps what was typed; a document added by mistake can be taken off again.
        var mistake = await applicant.SubmitFormWithFileAsync(url, "#answer-form", new() { ["Input.Comment"] = "Draft answer" }, "Upload", "old policy.pdf", Pdf, "Add the document");
        var withDocument = await mistake.ReadPageAsync();
        Assert.Contains("old policy.pdf", withDocument.QuerySelector("#answer-documents")!.TextContent);
        Assert.Equal("Draft answer", withDocument.QuerySelector("#Input_Comment")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await applicant.SubmitFormAsync(url, formSelector: "#answer-documents form")).StatusCode);
        Assert.Empty(await _app.WithDbAsync(db => db.Set<Attachment>().Where(a => a.ApplicationId == id).ToListAsync()));

        // The answer with a document: both are stored and the application goes back to eligibility.
        var sent = await applicant.SubmitFormWithFileAsync(url, "#answer-form", new() { ["Input.Comment"] = "Our safeguarding policy is attached; reviewed March." },
            "Upload", "safeguarding policy.pdf", Pdf, "Send your answer");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var answered = await _app.WithDbAsync(db => db.InboxTasks.AsNoTracking().SingleAsync(t => t.Id == answerTask.Id));
        Assert.Equal(("information-provided", "Our safeguarding policy is attached; reviewed March."), (answered.Outcome, answered.Comment));
        var document = await _app.WithDbAsync(db => db.Set<Attachment>().AsNoTracking().SingleAsync(a => a.ApplicationId == id));
        Assert.Equal(("information", "safeguarding policy.pdf"), (document.Kind, document.FileName));
        Assert.Equal([document.Id], GrantManager.Core.Applications.InformationRequests.DocumentsOf(answered));

        // Answering sends no second receipt.
        Assert.Single(await EmailsToAsync(Applicant), m => m.Subject.StartsWith("We have received your application"));

        // The officer sees the answer and the document on the new eligibility task, and can download it.
        var recheck = (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        Assert.Equal("check-eligibility", recheck.TaskKey);
        var recheckPage = await officer.GetPageAsync($"/Staff/Tasks/{recheck.Id}");
        var answer = recheckPage.QuerySelector(".information-answer")!.TextContent;
        Assert.Contains("Please send your safeguarding policy.", answer);
        Assert.Contains("Our safeguarding policy is attached; reviewed March.", answer);
        Assert.NotNull(recheckPage.QuerySelector($".information-answer a[href='/Documents/{document.Id}']"));
        var download = await officer.GetAsync($"/Documents/{document.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());

        // Another organisation sees neither the document nor the application.
        var other = await _app.SignedInAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Documents/{document.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        // The applicant's page keeps the exchange; the request is no longer waiting.
        var after = await applicant.GetPageAsync(url);
        Assert.Null(after.QuerySelector("#answer-form"));
        Assert.Contains("Our safeguarding policy is attached; reviewed March.", after.Body!.TextContent);
    }

    [Fact]
    public async Task The_offer_page_shows_the_terms_the_grant_gets_and_the_approval_note_never_reaches_the_applicant()
    {
        var id = await _app.SubmitApplicationAsync(Start, End, 3000m);
        // A target counted in pounds too, which the offer shows as money.
        await _app.WithDbAsync(async db =>
        {
            db.Add(new OutcomeTarget { ApplicationId = id, MeasureCode = "local-spend", Target = 2000m });
            return await db.SaveChangesAsync();
        });
        await _app.AssessAsync(id);
        var decide = (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        var officer = await _app.SignedInAsync("officer@example.org");
        var approved = await officer.SubmitFormAsync($"/Staff/Tasks/{decide.Id}", new()
        {
            ["Input.Outcome"] = "approve", ["Input.AmountAwarded"] = "2500", ["Input.ConditionRows[0].Text"] = "Send us your safeguarding policy before the first payment.",
            ["Input.Targets[people-supported]"] = "40",
            ["Input.MessageToApplicant"] = "Congratulations: the assessors liked the befriending model.",
            ["Input.Comment"] = "Borderline on deliverability; watch the first report.",
        }, CompleteForm);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var decided = await _app.WithDbAsync(db => db.InboxTasks.AsNoTracking().SingleAsync(t => t.Id == decide.Id));
        Assert.Equal("Borderline on deliverability; watch the first report.", decided.Comment);
        Assert.Equal("Congratulations: the assessors liked the befriending model.", GrantManager.Core.Applications.InformationRequests.MessageOf(decided));

        var offerEmail = (await EmailsToAsync(Applicant)).Single(m => m.Subject.StartsWith("Grant offer for"));
        Assert.Contains("Congratulations: the assessors liked the befriending model.", offerEmail.TextBody);

        // Before accepting, the applicant sees the amount awarded, the conditions, the adjusted targets, the payments and the reports.
        var applicant = await _app.SignedInAsync(Applicant);
        var url = $"/Applicant/Applications/{id}";
        var page = await applicant.GetPageAsync(url);
        Assert.Equal("£2,500", page.QuerySelector("#offer-amount")!.TextContent.Trim());
        Assert.Contains("Send us your safeguarding policy before the first payment.", page.QuerySelector("#offer-conditions")!.TextContent);
        var targets = page.QuerySelectorAll("#offer-targets tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray()).ToList();
        Assert.Contains(targets, t => t[1] == "40");
        Assert.Contains(targets, t => t[1] == "400");
        Assert.Contains(targets, t => t[0] == "Spend with Kent suppliers" && t[1] == "£2,000");
        var payments = page.QuerySelectorAll("#offer-payments tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray()).ToList();
        var reports = page.QuerySelectorAll("#offer-reports tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray()).ToList();
        Assert.Contains("Congratulations: the assessors liked the befriending model.", page.Body!.TextContent);
        Assert.DoesNotContain("Borderline", page.Body.TextContent);
        Assert.NotNull(page.QuerySelector($"a[href='{url}/Offer']"));

        // The printable offer letter has the same terms; it is the applicant's alone.
        var letter = await applicant.GetPageAsync($"{url}/Offer");
        Assert.Equal("£2,500", letter.QuerySelector("#offer-amount")!.TextContent.Trim());
        Assert.Contains(letter.QuerySelectorAll("#offer-targets tbody tr"), r => r.TextContent.Contains("Spend with Kent suppliers") && r.TextContent.Contains("£2,000"));
        Assert.NotNull(letter.QuerySelector(".app-no-print button"));
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("applicant2@example.org")).GetAsync($"{url}/Offer")).StatusCode);

        var accepted = await applicant.SubmitFormAsync(url, new() { ["Input.Outcome"] = "accept" }, "form[action*='handler=Respond']");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var grant = await _app.WithDbAsync(db => db.Grants.AsNoTracking().Include(g => g.Instalments).Include(g => g.Returns).Include(g => g.Targets).SingleAsync(g => g.ApplicationId == id));

        // What the offer page showed is what the grant got.
        Assert.Equal(2500m, grant.Amount);
        Assert.Equal("Send us your safeguarding policy before the first payment.", grant.Conditions);
        Assert.Equal([40m, 400m, 2000m], grant.Targets.OrderBy(t => t.Id).Select(t => t.Target));
        Assert.Equal(grant.Instalments.OrderBy(i => i.Sequence).Select(i => Formats.Money(i.Amount)), payments.Select(p => p[2]));
        Assert.Equal(grant.Returns.OrderBy(r => r.Sequence).Select(r => (r.Period, r.DueOn.ToString("d MMMM yyyy", Formats.EnGb))), reports.Select(r => (r[0], r[1])));
        var midpoint = grant.Returns.Single(r => r.ReleasesInstalment == 2);
        Assert.Contains(midpoint.DueOn.ToString("d MMMM yyyy", Formats.EnGb), payments[1][1]);

        // The confirmation lists the payments and the report dates, and how to reach the grants team.
        foreach (var r in grant.Returns) Assert.Contains($"{r.Period}: send it by {r.DueOn.ToString("d MMMM yyyy", Formats.EnGb)}", offerEmail.TextBody);
        foreach (var i in grant.Instalments) Assert.Contains(Formats.Money(i.Amount), offerEmail.TextBody);
        var confirmed = (await EmailsToAsync(Applicant)).Single(m => m.Subject.Contains("is confirmed"));
        foreach (var i in grant.Instalments) Assert.Contains(Formats.Money(i.Amount), confirmed.TextBody);
        foreach (var r in grant.Returns) Assert.Contains($"{r.Period}: send it by {r.DueOn.ToString("d MMMM yyyy", Formats.EnGb)}", confirmed.TextBody);
        Assert.Contains(Contact, confirmed.TextBody);

        // The note for the file is in no email to the applicant; every email to them gives the grants team's address.
        var toApplicant = await EmailsToAsync(Applicant);
        Assert.All(toApplicant, m => Assert.DoesNotContain("Borderline", m.TextBody));
        Assert.All(toApplicant, m => Assert.Contains(Contact, m.TextBody));
        // Staff keep the note in the history.
        Assert.Contains(await _app.WithDbAsync(db => db.WorkflowHistory.AsNoTracking().Select(h => h.Comment).ToListAsync()),
            c => c != null && c.Contains("Borderline on deliverability"));
    }

    [Fact]
    public async Task Withdrawing_asks_for_confirmation_and_the_reason_reaches_the_history_and_staff()
    {
        var id = await _app.SubmitApplicationAsync(Start, End);
        var applicant = await _app.SignedInAsync(Applicant);
        var url = $"/Applicant/Applications/{id}";
        var page = await applicant.GetPageAsync(url);
        Assert.Null(page.QuerySelector("form[action*='Withdraw']"));
        Assert.NotNull(page.QuerySelector($"a[href='{url}/Withdraw']"));

        var confirm = await applicant.GetPageAsync($"{url}/Withdraw");
        Assert.Equal("Are you sure you want to withdraw your application?", confirm.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("What happens next", confirm.Body!.TextContent);
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("applicant2@example.org")).GetAsync($"{url}/Withdraw")).StatusCode);
        // Looking at the question withdraws nothing.
        Assert.Equal("submitted", await StatusAsync(applicant, id));

        var withdrawn = await applicant.SubmitFormAsync($"{url}/Withdraw", new() { ["Reason"] = "We found other funding for the project." });
        Assert.Equal(HttpStatusCode.Redirect, withdrawn.StatusCode);
        Assert.Equal("withdrawn", await StatusAsync(applicant, id));
        var history = await _app.WithDbAsync(db => db.WorkflowHistory.AsNoTracking().Where(h => h.Trigger == "withdraw").SingleAsync());
        Assert.Equal(("We found other funding for the project.", "withdrawn"), (history.Comment, history.ToState));
        var staff = (await EmailsToAsync("officer@example.org")).Single(m => m.Subject.StartsWith("Application withdrawn"));
        Assert.Contains("We found other funding for the project.", staff.TextBody);
        Assert.Equal(HttpStatusCode.NotFound, (await applicant.GetAsync($"{url}/Withdraw")).StatusCode);
    }

    private static async Task<string> StatusAsync(HttpClient client, int id)
    {
        var page = await client.GetPageAsync($"/Applicant/Applications/{id}");
        return page.QuerySelector(".govuk-summary-list__value .govuk-tag")!.TextContent.Trim().ToLowerInvariant();
    }

    [Fact]
    public async Task The_printable_copy_has_every_answer_the_reference_and_the_submission_date()
    {
        var id = await _app.SubmitApplicationAsync(Start, End);
        var applicant = await _app.SignedInAsync(Applicant);
        Assert.NotNull((await applicant.GetPageAsync($"/Applicant/Applications/{id}")).QuerySelector($"a[href='/Applicant/Applications/{id}/Print']"));
        var application = await _app.WithDbAsync(db => db.Applications.AsNoTracking().SingleAsync(a => a.Id == id));
        var print = await applicant.GetPageAsync($"/Applicant/Applications/{id}/Print");
        var submission = print.QuerySelector("#submission")!.TextContent;
        Assert.Contains(application.Reference, submission);
        Assert.Contains(Formats.DateAndTime(application.SubmittedAt!.Value), submission);
        foreach (var answer in new[] { "Befriending by phone", "Weekly calls.", "Volunteers who were once isolated.", "Isolated older people", "Volunteer training" })
            Assert.Contains(answer, print.Body!.TextContent);
        Assert.NotNull(print.QuerySelector(".app-no-print button"));
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("applicant2@example.org")).GetAsync($"/Applicant/Applications/{id}/Print")).StatusCode);
    }

    [Fact]
    public async Task Over_the_api_the_comment_stands_in_for_a_rejections_reasons_and_a_message_where_nothing_is_sent_is_refused()
    {
        var api = await _app.ApiClientAsync("officer@example.org");
        var id = await _app.SubmitApplicationAsync(Start, End);
        var check = (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!;
        var pointless = await api.PostAsJsonAsync($"/api/tasks/{check.Id}/complete", new { outcome = "eligible", messageToApplicant = "Good luck" });
        Assert.Equal(HttpStatusCode.BadRequest, pointless.StatusCode);
        Assert.StartsWith("Nothing is sent to the applicant when you choose",
            (await pointless.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("messageToApplicant")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/tasks/{check.Id}/complete", new { outcome = "ineligible", comment = "Outside Kent." })).StatusCode);
        Assert.Contains("Outside Kent.", (await EmailsToAsync(Applicant)).Single(m => m.Subject.StartsWith("The outcome of your application")).TextBody);
    }

    [Fact]
    public async Task Role_names_take_an_before_a_vowel()
    {
        Assert.Equal(("an assessor", "a grant officer"), (Roles.WithArticle("assessor"), Roles.WithArticle("grant officer")));
        var id = await _app.SubmitApplicationAsync(Start, End);
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var assessorEmail = (await EmailsToAsync("assessor@example.org")).Single(m => m.Subject.StartsWith("New task"));
        Assert.Contains("There is a new task for an assessor:", assessorEmail.TextBody);
    }
}
