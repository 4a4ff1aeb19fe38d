using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Grants;

/// <summary>
/// Conditions of an offer that hold payments: the decision sets them with their kinds, the grant holder
/// sends evidence, a grant officer marks them met or not met, and a held payment goes to finance only
/// when the last condition holding it is met. Finance pays, holds or records a failed payment.
/// </summary>
public sealed class GrantConditionsTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 1, 11, 9, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public GrantConditionsTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private const string CompleteForm = "form[action*='handler=Complete']";

    /// <summary>A new charity's application, through eligibility and both assessments, waiting for the officer's decision.</summary>
    private async Task<(int ApplicationId, string Email, InboxTask Decision)> ToDecisionAsync(string organisation, string charityNumber)
    {
        var email = $"cond-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(_app, email, organisation, charityNumber, "TN23 1AA");
        var id = await _app.SubmitApplicationAsync(Start, End, 3000m, email);
        await _app.AssessAsync(id);
        return (id, email, (await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!);
    }

    private async Task AcceptAsync(int applicationId, string email) =>
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, applicationId))!.Id, email, new TaskCompletion("accept", null));

    private static async Task<Dictionary<string, string>> ErrorsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        return errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value[0].GetString()!);
    }

    [Fact]
    public async Task A_payment_held_by_its_condition_goes_to_finance_only_when_an_officer_marks_the_condition_met()
    {
        var (id, email, decision) = await ToDecisionAsync("Kennington Carers", "1313001");
        var officerApi = await _app.ApiClientAsync("officer@example.org");

        // Bad conditions are refused, each naming its field; nothing is decided.
        var refused = await officerApi.PostAsJsonAsync($"/api/tasks/{decision.Id}/complete", new
        {
            outcome = "approve",
            conditions = new object[] { new { text = "Send us your safeguarding policy", kind = "whenever" }, new { text = "Insurance", kind = "before-payment", payment = 7 }, new { text = " ", kind = "ongoing" } },
        });
        var errors = await ErrorsOf(refused);
        Assert.Equal("Choose when condition 1 must be met: before the first payment, before a named payment, or for the life of the grant", errors["conditions[0].kind"]);
        Assert.Equal("Condition 2 is before a payment: give its number, from 1 to 3", errors["conditions[1].payment"]);
        Assert.Equal("Enter the words of condition 3", errors["conditions[2].text"]);
        Assert.Equal(InboxTaskStatus.Open, (await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == decision.Id))).Status);

        Assert.Equal(HttpStatusCode.OK, (await officerApi.PostAsJsonAsync($"/api/tasks/{decision.Id}/complete", new
        {
            outcome = "approve",
            conditions = new object[]
            {
                new { text = "Send us your safeguarding policy, adopted by your trustees", kind = "before-first-payment" },
                new { text = "Send us your public liability insurance certificate", kind = "before-payment", payment = 2 },
                "Credit Live Well Kent in your publicity",
            },
        })).StatusCode);
        var reference = await _app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Reference).SingleAsync());
        var letter = await _app.Smtp.WaitForAsync(email, $"Grant offer for {reference}");
        Assert.Contains("1. Send us your safeguarding policy, adopted by your trustees (before the first payment)", letter.TextBody);
        Assert.Contains("2. Send us your public liability insurance certificate (before payment 2)", letter.TextBody);
        Assert.Contains("3. Credit Live Well Kent in your publicity (for the life of the grant)", letter.TextBody);
        await AcceptAsync(id, email);

        // The grant has the three conditions; the first payment is held by the first of them, and no payment task is open.
        var applicantApi = await _app.ApiClientAsync(email, NewApplicant.Password);
        var grantId = await _app.WithDbAsync(db => db.Grants.Where(g => g.ApplicationId == id).Select(g => g.Id).SingleAsync());
        var grant = await applicantApi.GetFromJsonAsync<JsonElement>($"/api/grants/{grantId}");
        var conditions = grant.GetProperty("conditions").EnumerateArray().ToList();
        Assert.Equal([("before-first-payment", "open"), ("before-payment", "open"), ("ongoing", "open")],
            conditions.Select(c => (c.GetProperty("kind").GetString(), c.GetProperty("status").GetString())));
        Assert.Equal("Send us your public liability insurance certificate", conditions[1].GetProperty("text").GetString());
        var (first, second, third) = (conditions[0].GetProperty("id").GetInt32(), conditions[1].GetProperty("id").GetInt32(), conditions[2].GetProperty("id").GetInt32());
        var firstPayment = grant.GetProperty("instalments")[0];
        Assert.Equal("held", firstPayment.GetProperty("status").GetString());
        Assert.Equal([first], firstPayment.GetProperty("heldFor").EnumerateArray().Select(e => e.GetInt32()));
        var instalment1 = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.GrantId == grantId && i.Sequence == 1));
        Assert.Null(instalment1.WorkflowInstanceId);
        Assert.Null(await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment1.Id));

        // Finance sees the payment held, and by what, on the case file.
        var finance = await _app.SignedInAsync("finance@example.org");
        var caseFile = await finance.GetPageAsync($"/Staff/Applications/{id}");
        var firstRow = caseFile.QuerySelectorAll("#payments-table tbody tr")[0].TextContent;
        Assert.Contains("Held until condition 1 is met", firstRow);
        Assert.Contains("Send us your safeguarding policy", caseFile.QuerySelector("#conditions-table")!.TextContent);

        // The grant holder sees the conditions on their grant page and sends evidence with a document.
        var holder = await _app.SignedInAsync(email, NewApplicant.Password);
        var grantPage = await holder.GetPageAsync($"/Applicant/Applications/{id}");
        Assert.Equal($"/Applicant/Conditions/{first}", grantPage.QuerySelector($"#conditions-table tr[data-condition='{first}'] a")!.GetAttribute("href"));
        Assert.Contains("Held until condition 1 is met", grantPage.Body!.TextContent);
        var empty = await holder.SubmitFormAsync($"/Applicant/Conditions/{third}");
        Assert.Equal(["Write how you have met the condition, or add a document"], (await empty.ReadPageAsync()).ErrorSummary());
        var sent = await holder.SubmitFormAsync($"/Applicant/Conditions/{first}", new() { ["Note"] = "Our trustees adopted it on 4 January." },
            file: ("Upload", "safeguarding.pdf", "%PDF-1.4 policy"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var withEvidence = await _app.WithDbAsync(db => db.Set<GrantCondition>().SingleAsync(c => c.Id == first));
        Assert.Equal((ConditionStatus.EvidenceSent, "Our trustees adopted it on 4 January.", _clock.GetUtcNow().UtcDateTime),
            (withEvidence.Status, withEvidence.EvidenceNote, withEvidence.EvidenceSentAt!.Value));
        var document = await _app.WithDbAsync(db => db.Set<Attachment>().SingleAsync(a => a.ConditionId == first));
        Assert.Equal("safeguarding.pdf", document.FileName);
        var told = await _app.Smtp.WaitForAsync("officer@example.org", $"Evidence sent for condition 1 on grant {reference}");
        Assert.Contains($"/Staff/Grants/Conditions/{first}", told.TextBody);
        Assert.DoesNotContain("trustees adopted", told.TextBody);

        // Another organisation's applicant finds nothing; finance and assessors may not decide a condition.
        var otherEmail = $"other-{Guid.NewGuid():N}@example.org";
        var other = await NewApplicant.RegisterCharityAsync(_app, otherEmail, "Willesborough Walkers", "1313002", "TN24 0AA");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Applicant/Conditions/{first}")).StatusCode);
        var otherApi = await _app.ApiClientAsync(otherEmail, NewApplicant.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.GetAsync($"/api/grants/{grantId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "met" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await applicantApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "met" })).StatusCode);
        var financeApi = await _app.ApiClientAsync("finance@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await financeApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "met" })).StatusCode);
        Assert.Null((await finance.GetPageAsync($"/Staff/Grants/Conditions/{first}")).QuerySelector("main form"));
        var assessor = await _app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync($"/Staff/Grants/Conditions/{first}")).Headers.Location!.PathAndQuery);
        Assert.Equal(ConditionStatus.EvidenceSent, (await _app.WithDbAsync(db => db.Set<GrantCondition>().SingleAsync(c => c.Id == first))).Status);

        // The officer reads the evidence and first finds it short: not met needs a reason, which the holder then sees.
        var officer = await _app.SignedInAsync("officer@example.org");
        var conditionPage = await officer.GetPageAsync($"/Staff/Grants/Conditions/{first}");
        Assert.Equal("Our trustees adopted it on 4 January.", conditionPage.QuerySelector("#condition-evidence")!.TextContent.Trim());
        Assert.Equal($"/Documents/{document.Id}", conditionPage.QuerySelector("#condition-documents a")!.GetAttribute("href"));
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/Documents/{document.Id}")).StatusCode);
        var noReason = await officer.SubmitFormAsync($"/Staff/Grants/Conditions/{first}", new() { ["Status"] = "not-met" });
        Assert.Equal(["Enter the reason the condition is not met; the grant holder is shown it"], (await noReason.ReadPageAsync()).ErrorSummary());
        var notMet = await officer.SubmitFormAsync($"/Staff/Grants/Conditions/{first}", new() { ["Status"] = "not-met", ["Reason"] = "The policy is not signed." });
        Assert.Equal(HttpStatusCode.Redirect, notMet.StatusCode);
        var shown = await holder.GetPageAsync($"/Applicant/Conditions/{first}");
        Assert.Equal(("Not met", "The policy is not signed."), (shown.QuerySelector("#condition-status")!.TextContent.Trim(), shown.QuerySelector("#condition-reason")!.TextContent.Trim()));
        Assert.Contains("The policy is not signed.", (await _app.Smtp.WaitForAsync(email, $"Condition 1 of your grant {reference}: not met yet")).TextBody);
        Assert.Equal(InstalmentStatus.Held, (await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.Id == instalment1.Id))).Status);

        // Met, over the API: the payment is released to finance at that moment, with its task.
        _clock.Advance(TimeSpan.FromDays(3));
        officerApi = await _app.ApiClientAsync("officer@example.org");
        applicantApi = await _app.ApiClientAsync(email, NewApplicant.Password);
        Assert.Equal(["status"], (await ErrorsOf(await officerApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "done" }))).Keys);
        var met = await officerApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "met", reason = "Signed copy received." });
        Assert.Equal(HttpStatusCode.OK, met.StatusCode);
        Assert.Equal("met", (await met.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var released = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.Id == instalment1.Id));
        Assert.Equal((InstalmentStatus.Due, _clock.GetUtcNow().UtcDateTime.AddDays(-3)), (released.Status, released.DueAt!.Value));
        Assert.Contains("Payment 1 has gone to our finance team to pay.", (await _app.Smtp.WaitForAsync(email, $"Condition 1 of your grant {reference}: met")).TextBody);
        var payTask = await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment1.Id, "pay-instalment");
        Assert.NotNull(payTask);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddDays(10), payTask.DueAt);
        var history = await _app.WithDbAsync(db => db.WorkflowHistory.Where(h => h.InstanceId == released.WorkflowInstanceId).Select(h => h.Comment).ToListAsync());
        Assert.Contains("Payment 1 of £1,500 released: Condition 1 met", history);

        // Meeting it again changes nothing more: the payment is not released twice.
        Assert.Equal(HttpStatusCode.OK, (await officerApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{first}", new { status = "met" })).StatusCode);
        Assert.Equal(1, await _app.WithDbAsync(db => db.WorkflowInstances.CountAsync(i => i.SubjectType == GrantWorkflows.InstalmentSubject && i.SubjectId == instalment1.Id.ToString())));

        var after = await applicantApi.GetFromJsonAsync<JsonElement>($"/api/grants/{grantId}");
        Assert.Equal(["due", "scheduled", "scheduled"], after.GetProperty("instalments").EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        Assert.Equal("met", after.GetProperty("conditions")[0].GetProperty("status").GetString());

        // Months later the mid-point report is accepted: the second payment it releases is held by condition 2, until that is met.
        var midpoint = await _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(r => r.GrantId == grantId && r.ReleasesInstalment == 2));
        await RunUntilAsync(midpoint.DueAt.AddDays(-1));
        await _app.SubmitReturnAsync(midpoint.Id, GrantJourney.FullReturn(20, 150), email);
        var review = (await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, midpoint.Id, "review-return"))!;
        await _app.CompleteAsync(review.Id, "officer@example.org", new TaskCompletion("accept-report", "Clear and complete."));
        var instalment2 = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.GrantId == grantId && i.Sequence == 2));
        Assert.Equal((InstalmentStatus.Held, null), (instalment2.Status, instalment2.WorkflowInstanceId));
        Assert.Null(await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment2.Id));
        officerApi = await _app.ApiClientAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.OK, (await officerApi.PostAsJsonAsync($"/api/grants/{grantId}/conditions/{second}", new { status = "met" })).StatusCode);
        Assert.NotNull(await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment2.Id, "pay-instalment"));
        Assert.Equal(InstalmentStatus.Scheduled, (await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.GrantId == grantId && i.Sequence == 3))).Status);
    }

    [Fact]
    public async Task The_officer_sets_conditions_with_their_kinds_on_the_decision_page()
    {
        var (id, email, decision) = await ToDecisionAsync("Hothfield Heath Volunteers", "1313004");
        var officer = await _app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Tasks/{decision.Id}";
        var missing = await officer.SubmitFormAsync(url, new()
        {
            ["Input.Outcome"] = "approve",
            ["Input.ConditionRows[0].Text"] = "Send us your volunteer policy", ["Input.ConditionRows[0].Kind"] = "before-payment",
        }, CompleteForm);
        var page = await missing.ReadPageAsync();
        Assert.Equal(["Condition 1 is before a payment: give its number, from 1 to 3"], page.ErrorSummary());
        Assert.Equal("#Input_ConditionRows_0__Payment", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.NotNull(page.QuerySelector("#Input_ConditionRows_0__Payment"));
        Assert.Equal("Send us your volunteer policy", page.QuerySelector("#Input_ConditionRows_0__Text")!.TextContent);

        Assert.Equal(HttpStatusCode.Redirect, (await officer.SubmitFormAsync(url, new()
        {
            ["Input.Outcome"] = "approve",
            ["Input.ConditionRows[0].Text"] = "Send us your volunteer policy", ["Input.ConditionRows[0].Kind"] = "before-payment", ["Input.ConditionRows[0].Payment"] = "2",
            ["Input.ConditionRows[2].Text"] = "Send us your bank statement header", ["Input.ConditionRows[2].Kind"] = "before-first-payment",
        }, CompleteForm)).StatusCode);
        await AcceptAsync(id, email);
        var grant = await _app.WithDbAsync(db => db.Grants.Include(g => g.ConditionList).Include(g => g.Instalments).SingleAsync(g => g.ApplicationId == id));
        Assert.Equal([(1, "Send us your volunteer policy", ConditionKinds.BeforePayment, (int?)2), (2, "Send us your bank statement header", ConditionKinds.BeforeFirstPayment, null)],
            grant.ConditionList.OrderBy(c => c.Sequence).Select(c => (c.Sequence, c.Text, c.Kind, c.PaymentNumber)));
        Assert.Equal(InstalmentStatus.Held, grant.Instalments.Single(i => i.Sequence == 1).Status);
    }

    private Task RunUntilAsync(DateTime until) => _app.RunTimersUntilAsync(_clock, until);

    [Fact]
    public async Task Finance_pays_holds_with_a_reason_and_pays_again_after_the_bank_rejects_a_payment()
    {
        // Plain words for conditions stay accepted: one condition for the life of the grant, which holds no payment.
        var (id, email, decision) = await ToDecisionAsync("Singleton Sea Scouts", "1313003");
        var officerApi = await _app.ApiClientAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.OK, (await officerApi.PostAsJsonAsync($"/api/tasks/{decision.Id}/complete",
            new { outcome = "approve", conditions = "Credit Live Well Kent in your publicity." })).StatusCode);
        await AcceptAsync(id, email);
        var grant = await officerApi.GetFromJsonAsync<JsonElement>($"/api/grants/{await _app.WithDbAsync(db => db.Grants.Where(g => g.ApplicationId == id).Select(g => g.Id).SingleAsync())}");
        var only = Assert.Single(grant.GetProperty("conditions").EnumerateArray());
        Assert.Equal(("Credit Live Well Kent in your publicity.", "ongoing"), (only.GetProperty("text").GetString(), only.GetProperty("kind").GetString()));
        Assert.Equal("Credit Live Well Kent in your publicity.", grant.GetProperty("conditionsText").GetString());
        Assert.Equal("due", grant.GetProperty("instalments")[0].GetProperty("status").GetString());

        var instalment = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => db.Grants.Any(g => g.Id == i.GrantId && g.ApplicationId == id) && i.Sequence == 1));
        var task = (await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment.Id, "pay-instalment"))!;
        var finance = await _app.SignedInAsync("finance@example.org");
        var url = $"/Staff/Tasks/{task.Id}";
        var page = await finance.GetPageAsync(url);
        Assert.Contains("Credit Live Well Kent in your publicity.", page.QuerySelector("#payment-conditions")!.TextContent);
        Assert.Equal(["paid", "held", "failed"], page.QuerySelectorAll("input[name='Input.Outcome']").Select(i => i.GetAttribute("value")));

        // Each outcome asks for what it needs.
        Assert.Equal(["Enter the payment reference from the finance system"],
            (await (await finance.SubmitFormAsync(url, new() { ["Input.Outcome"] = "paid" }, CompleteForm)).ReadPageAsync()).ErrorSummary());
        Assert.Equal(["Enter why the payment is held"],
            (await (await finance.SubmitFormAsync(url, new() { ["Input.Outcome"] = "held" }, CompleteForm)).ReadPageAsync()).ErrorSummary());

        // Held, with the reason; released by finance, it is theirs to pay again.
        Assert.Equal(HttpStatusCode.Redirect, (await finance.SubmitFormAsync(url, new() { ["Input.Outcome"] = "held", ["Input.Comment"] = "Bank details being checked" }, CompleteForm)).StatusCode);
        var held = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.Id == instalment.Id));
        Assert.Equal((InstalmentStatus.Held, "Bank details being checked"), (held.Status, held.HeldReason));
        var officer = await _app.SignedInAsync("officer@example.org");
        Assert.Contains("Held by finance: Bank details being checked", (await officer.GetPageAsync($"/Staff/Applications/{id}")).QuerySelectorAll("#payments-table tbody tr")[0].TextContent);
        var release = (await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment.Id, "release-payment"))!;
        Assert.Equal(HttpStatusCode.Redirect, (await finance.SubmitFormAsync($"/Staff/Tasks/{release.Id}", new() { ["Input.Outcome"] = "release" }, CompleteForm)).StatusCode);
        Assert.Equal((InstalmentStatus.Due, null), await _app.WithDbAsync(async db =>
        {
            var i = await db.Set<Instalment>().SingleAsync(x => x.Id == instalment.Id);
            return (i.Status, i.HeldReason);
        }));

        // Failed: back to finance with a new task, showing what the bank said.
        var again = (await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment.Id, "pay-instalment"))!;
        Assert.NotEqual(task.Id, again.Id);
        Assert.Equal(["Enter what the bank said when it rejected the payment"],
            (await (await finance.SubmitFormAsync($"/Staff/Tasks/{again.Id}", new() { ["Input.Outcome"] = "failed" }, CompleteForm)).ReadPageAsync()).ErrorSummary());
        Assert.Equal(HttpStatusCode.Redirect, (await finance.SubmitFormAsync($"/Staff/Tasks/{again.Id}",
            new() { ["Input.Outcome"] = "failed", ["Input.Comment"] = "Account closed (BACS return code 0)" }, CompleteForm)).StatusCode);
        var retry = (await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalment.Id, "pay-instalment"))!;
        Assert.NotEqual(again.Id, retry.Id);
        var retryPage = await finance.GetPageAsync($"/Staff/Tasks/{retry.Id}");
        Assert.Equal("Failed: Account closed (BACS return code 0)", retryPage.QuerySelector("#payment-failure")!.TextContent.Trim());
        Assert.False(await _app.WithDbAsync(db => db.OutboxEmails.AnyAsync(m => m.ToAddress == email && m.Template == "remittance")));

        // Paid, with the reference: the holder's remittance advice follows.
        Assert.Equal(HttpStatusCode.Redirect, (await finance.SubmitFormAsync($"/Staff/Tasks/{retry.Id}",
            new() { ["Input.Outcome"] = "paid", ["Input.PaymentReference"] = "BACS-4411" }, CompleteForm)).StatusCode);
        var paid = await _app.WithDbAsync(db => db.Set<Instalment>().SingleAsync(i => i.Id == instalment.Id));
        Assert.Equal((InstalmentStatus.Paid, "BACS-4411", null, _clock.GetUtcNow().UtcDateTime), (paid.Status, paid.PaymentReference, paid.FailureReason, paid.PaidAt!.Value));
        Assert.True(await _app.WithDbAsync(db => db.OutboxEmails.AnyAsync(m => m.ToAddress == email && m.Template == "remittance")));
    }
}
