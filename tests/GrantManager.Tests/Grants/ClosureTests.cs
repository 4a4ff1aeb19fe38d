using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Grants;

/// <summary>
/// Closing a grant: the accepted final report opens closure, the grant holder declares any underspend, an underspend
/// is repaid (finance records the receipt) before the grant closes, and an officer can end a grant early, cancelling
/// the payments and reports still to come with their reminders.
/// </summary>
public sealed class ClosureTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private const string Holder = "applicant@example.org";
    private const string CompleteForm = "form[action*='handler=Complete']";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public ClosureTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task RunUntilAsync(DateTime until) => _app.RunTimersUntilAsync(_clock, until);

    private Task<Grant> GrantAsync(int id) => _app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).Include(g => g.Returns).SingleAsync(g => g.Id == id));

    private async Task PayOpenPaymentsAsync(int grantId)
    {
        foreach (var i in (await GrantAsync(grantId)).Instalments.OrderBy(i => i.Sequence))
            if (await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, i.Id, "pay-instalment") is { } task)
                await _app.CompleteAsync(task.Id, "finance@example.org", new TaskCompletion("paid", null) { PaymentReference = $"BACS-{i.Sequence}" });
    }

    /// <summary>A grant with every report sent early and accepted, every payment made: the final report's acceptance has opened closure.</summary>
    private async Task<Grant> FinalReportAcceptedAsync()
    {
        var grant = await _app.AwardAsync(Start, End);
        await PayOpenPaymentsAsync(grant.Id);
        foreach (var r in grant.Returns.OrderBy(r => r.Sequence))
        {
            await _app.SubmitReturnAsync(r.Id, GrantJourney.FullReturn(20, 100, final: r.IsFinal));
            var review = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r.Id, "review-return");
            await _app.CompleteAsync(review!.Id, "officer@example.org", new TaskCompletion("accept-report", null));
            await PayOpenPaymentsAsync(grant.Id);
        }
        return await GrantAsync(grant.Id);
    }

    private static async Task<Dictionary<string, string>> ErrorsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        return errors.EnumerateObject().ToDictionary(e => e.Name, e => e.Value[0].GetString()!);
    }

    [Fact]
    public async Task An_underspend_declared_on_the_grant_page_is_repaid_and_recorded_by_finance_and_then_the_grant_closes()
    {
        var grant = await FinalReportAcceptedAsync();
        Assert.Equal((GrantStatus.Active, "declaring"), (grant.Status, GrantClosure.State(grant)));
        Assert.Equal(3000m, GrantClosure.PaidSoFar(grant));
        var opened = await _app.Smtp.WaitForAsync(Holder, $"Closing your grant {grant.Reference}");
        Assert.Contains("If you spent it all, tell us £0", opened.TextBody);

        // The grant page offers the declaration; more than was paid is refused, naming the field; nothing is kept.
        var holder = await _app.SignedInAsync(Holder);
        var grantPage = await holder.GetPageAsync($"/Applicant/Applications/{grant.ApplicationId}");
        Assert.Contains("Waiting for the grant holder to declare any underspend", grantPage.QuerySelector("#closure-state")!.TextContent);
        var url = grantPage.QuerySelector("#declare-underspend")!.GetAttribute("href")!;
        Assert.Equal($"/Applicant/Grants/{grant.Id}/Underspend", url);
        var tooMuch = await (await holder.SubmitFormAsync(url, new() { ["Amount"] = "3,000.01" })).ReadPageAsync();
        Assert.Equal(["The amount not spent cannot be more than the £3,000 paid so far"], tooMuch.ErrorSummary());
        Assert.Equal("#Amount", tooMuch.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));
        Assert.Equal(["Enter the amount not spent, or 0 if it was all spent"], (await (await holder.SubmitFormAsync(url)).ReadPageAsync()).ErrorSummary());
        Assert.Null((await GrantAsync(grant.Id)).Underspend);

        // Declared as the page renders it: repayment is asked for by email with the amount and no bank details.
        var declared = await holder.SubmitFormAsync(url, new() { ["Amount"] = "£250.50" });
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        var asking = await GrantAsync(grant.Id);
        Assert.Equal((250.50m, _clock.GetUtcNow().UtcDateTime, GrantStatus.Active, "repayment-requested"),
            (asking.Underspend, asking.UnderspendDeclaredAt!.Value, asking.Status, GrantClosure.State(asking)));
        var repay = await _app.Smtp.WaitForAsync(Holder, $"Please repay £250.50 of your grant {grant.Reference}");
        Assert.Contains("Please repay £250.50", repay.TextBody);
        foreach (var bank in new[] { "sort code", "account number", "IBAN" }) Assert.DoesNotContain(bank, repay.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Please repay £250.50: we have emailed you about it.",
            (await holder.GetPageAsync($"/Applicant/Applications/{grant.ApplicationId}")).QuerySelector("#closure-underspend")!.TextContent);

        // Finance's task shows what is owed; a receipt over it is refused; the whole of it, as rendered, closes the grant.
        var task = await _app.OpenTaskAsync(GrantClosure.Subject, grant.Id, "record-repayment");
        Assert.NotNull(task);
        Assert.Equal(Roles.FinanceOfficer, task.Role);
        await _app.Smtp.WaitForAsync("finance@example.org", "New task: Record the repayment of an underspend");
        var finance = await _app.SignedInAsync("finance@example.org");
        var taskUrl = $"/Staff/Tasks/{task.Id}";
        Assert.Equal("£250.50", (await finance.GetPageAsync(taskUrl)).QuerySelector("#closure-outstanding")!.TextContent.Trim());
        var over = await (await finance.SubmitFormAsync(taskUrl, new()
        {
            ["Input.Outcome"] = "received", ["Input.AmountReceived"] = "300", ["Input.ReceivedDay"] = "", ["Input.PaymentReference"] = "",
        }, CompleteForm)).ReadPageAsync();
        Assert.Equal(["The amount received must be no more than the £250.50 still to be repaid", "Enter the date the repayment reached us",
            "Enter the reference of the receipt from the finance system"], over.ErrorSummary());
        Assert.Equal(InboxTaskStatus.Open, (await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == task.Id))).Status);
        var today = GrantManager.Core.Configuration.UkTime.DayOf(_clock.GetUtcNow().UtcDateTime);
        var recorded = await finance.SubmitFormAsync(taskUrl, new()
        {
            ["Input.Outcome"] = "received", ["Input.AmountReceived"] = "250.50", ["Input.ReceivedDay"] = today.Day.ToString(),
            ["Input.ReceivedMonth"] = today.Month.ToString(), ["Input.ReceivedYear"] = today.Year.ToString(), ["Input.PaymentReference"] = "REC-0077",
        }, CompleteForm);
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);

        var closed = await GrantAsync(grant.Id);
        Assert.Equal((GrantStatus.Closed, _clock.GetUtcNow().UtcDateTime, 250.50m, today, "REC-0077"),
            (closed.Status, closed.ClosedAt!.Value, closed.RepaymentReceived, closed.RepaymentReceivedOn!.Value, closed.RepaymentReference));
        var told = await _app.Smtp.WaitForAsync(Holder, $"Your grant {grant.Reference} is closed");
        Assert.Contains("We have received the repayment of £250.50", told.TextBody);

        // The API, the grants register and the case file show it closed, with the repayment.
        var api = await _app.ApiClientAsync(Holder);
        var closure = (await api.GetFromJsonAsync<JsonElement>($"/api/grants/{grant.Id}")).GetProperty("closure");
        Assert.Equal(("closed", 250.50m, true, 250.50m, "2027-02-01", 0m), (closure.GetProperty("state").GetString(), closure.GetProperty("underspend").GetDecimal(),
            closure.GetProperty("repaymentRequested").GetBoolean(), closure.GetProperty("repaymentReceived").GetDecimal(),
            closure.GetProperty("repaymentReceivedOn").GetString(), closure.GetProperty("repaymentOutstanding").GetDecimal()));
        var officer = await _app.SignedInAsync("officer@example.org");
        var register = await officer.GetPageAsync("/Staff/Grants?status=closed");
        Assert.Contains(grant.Reference, register.QuerySelector("main table")!.TextContent);
        var caseFile = await officer.GetPageAsync($"/Staff/Applications/{grant.ApplicationId}");
        Assert.StartsWith("Closed", caseFile.QuerySelector("#closure-state")!.TextContent.Trim());
        Assert.Contains("£250.50 received", caseFile.QuerySelector("#closure-repayment")!.TextContent);
        Assert.Contains("REC-0077", caseFile.QuerySelector("#closure-repayment")!.TextContent);
        Assert.Null(caseFile.QuerySelector("#end-grant"));
    }

    [Fact]
    public async Task With_nothing_unspent_the_grant_closes_at_once_and_bad_declarations_are_refused_naming_the_field()
    {
        var grant = await FinalReportAcceptedAsync();
        var api = await _app.ApiClientAsync(Holder);
        Assert.Equal("The amount not spent must not be a negative amount",
            (await ErrorsOf(await api.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = -5 })))["amount"]);
        Assert.Equal("The amount not spent cannot be more than the £3,000 paid so far",
            (await ErrorsOf(await api.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 4000 })))["amount"]);
        Assert.Equal("Enter the amount not spent, or 0 if it was all spent",
            (await ErrorsOf(await api.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { })))["amount"]);

        var response = await api.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 0 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("closed", "closed", false), (body.GetProperty("status").GetString(), body.GetProperty("closure").GetProperty("state").GetString(),
            body.GetProperty("closure").GetProperty("repaymentRequested").GetBoolean()));
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("closedAt").ValueKind);
        Assert.Null(await _app.OpenTaskAsync(GrantClosure.Subject, grant.Id));
        await _app.Smtp.WaitForAsync(Holder, $"Your grant {grant.Reference} is closed");
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 0 })).StatusCode);
        Assert.DoesNotContain(_app.Smtp.To(Holder), m => (m.Subject ?? "").StartsWith("Please repay"));
    }

    [Fact]
    public async Task An_officer_ends_a_grant_early_and_its_later_payments_reports_and_reminders_are_cancelled()
    {
        var grant = await _app.AwardAsync(Start, End);
        await PayOpenPaymentsAsync(grant.Id);
        var officer = await _app.SignedInAsync("officer@example.org");
        var caseFile = await officer.GetPageAsync($"/Staff/Applications/{grant.ApplicationId}");
        var url = caseFile.QuerySelector("#end-grant")!.GetAttribute("href")!;
        Assert.Equal($"/Staff/Grants/{grant.Id}/End", url);
        var page = await officer.GetPageAsync(url);
        Assert.Equal(2 + grant.Returns.Count, page.QuerySelectorAll("#to-cancel li").Length);
        Assert.Equal(["Enter why the grant is ending early; the grant holder is told"], (await (await officer.SubmitFormAsync(url)).ReadPageAsync()).ErrorSummary());
        Assert.Equal(GrantStatus.Active, (await GrantAsync(grant.Id)).Status);

        var ended = await officer.SubmitFormAsync(url, new() { ["Reason"] = "The project has stopped: the group has disbanded." });
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        var after = await GrantAsync(grant.Id);
        Assert.Equal((GrantStatus.Closed, "The project has stopped: the group has disbanded.", "ended-early"), (after.Status, after.EndReason, GrantClosure.State(after)));
        Assert.Equal([InstalmentStatus.Paid, InstalmentStatus.Cancelled, InstalmentStatus.Cancelled], after.Instalments.OrderBy(i => i.Sequence).Select(i => i.Status));
        Assert.All(after.Returns, r => Assert.Equal(ReturnStatus.Cancelled, r.Status));
        var instances = after.Returns.Select(r => r.WorkflowInstanceId!.Value).ToList();
        Assert.Equal(0, await _app.WithDbAsync(db => db.WorkflowTimers.CountAsync(t => instances.Contains(t.InstanceId) && t.Status == WorkflowTimerStatus.Pending)));
        Assert.Equal(0, await _app.WithDbAsync(db => db.InboxTasks.CountAsync(t => instances.Contains(t.InstanceId) && t.Status == InboxTaskStatus.Open)));
        var told = await _app.Smtp.WaitForAsync(Holder, $"Your grant {grant.Reference} has been ended");
        Assert.Contains("The project has stopped: the group has disbanded.", told.TextBody);
        Assert.Contains("2 payment(s) not yet made have been cancelled", told.TextBody);

        // A year on, not one report opens, reminds or escalates, and no payment task appears.
        var endedAt = _clock.GetUtcNow().UtcDateTime;
        await RunUntilAsync(new DateTime(2028, 12, 31, 0, 0, 0, DateTimeKind.Utc));
        Assert.Empty(await _app.WithDbAsync(db => db.OutboxEmails.Where(m => m.CreatedAt > endedAt).Select(m => m.Template).ToListAsync()));
        Assert.Equal(0, await _app.WithDbAsync(db => db.InboxTasks.CountAsync(t => t.Instance!.CaseId == grant.ApplicationId && t.Status == InboxTaskStatus.Open)));

        // The case file shows the end, the reason and each case stopped; the holder's page and the API show it too.
        officer = await _app.SignedInAsync("officer@example.org");
        caseFile = await officer.GetPageAsync($"/Staff/Applications/{grant.ApplicationId}");
        Assert.Contains("The project has stopped: the group has disbanded.", caseFile.QuerySelector("#closure-ended")!.TextContent);
        Assert.Contains("Cancelled", caseFile.QuerySelectorAll("#payments-table tbody tr")[1].TextContent);
        Assert.All(caseFile.QuerySelectorAll("#returns-table tbody tr"), row => Assert.Contains("Cancelled", row.TextContent));
        // Each report's case stopped (payments not yet released have no case to stop).
        Assert.Equal(grant.Returns.Count, caseFile.QuerySelectorAll("#history-table tbody tr").Count(r => r.TextContent.Contains("Stopped")
            && r.TextContent.Contains("Grant ended early: The project has stopped")));
        Assert.Null(caseFile.QuerySelector("#end-grant"));
        var holderPage = await (await _app.SignedInAsync(Holder)).GetPageAsync($"/Applicant/Applications/{grant.ApplicationId}");
        Assert.Contains("We ended the grant early: The project has stopped", holderPage.QuerySelector("#closure-ended")!.TextContent);
        var api = await _app.ApiClientAsync("officer@example.org");
        var closure = (await api.GetFromJsonAsync<JsonElement>($"/api/grants/{grant.Id}")).GetProperty("closure");
        Assert.Equal(("ended-early", "The project has stopped: the group has disbanded."), (closure.GetProperty("state").GetString(), closure.GetProperty("endReason").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/api/grants/{grant.Id}/end", new { reason = "Again" })).StatusCode);
    }

    [Fact]
    public async Task Another_organisation_an_assessor_and_finance_are_refused_what_is_not_theirs_to_do()
    {
        var grant = await FinalReportAcceptedAsync();
        var otherEmail = $"other-{Guid.NewGuid():N}@example.org";
        var other = await NewApplicant.RegisterCharityAsync(_app, otherEmail, "Willesborough Walkers", "1414002", "TN24 0AA");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Applicant/Grants/{grant.Id}/Underspend")).StatusCode);
        var otherApi = await _app.ApiClientAsync(otherEmail, NewApplicant.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.PostAsJsonAsync($"/api/grants/{grant.Id}/end", new { reason = "Mine now" })).StatusCode);

        // Ending a grant is for grant officers and administrators: not assessors, finance or the grant holder.
        var assessor = await _app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync($"/Staff/Grants/{grant.Id}/End")).Headers.Location!.PathAndQuery);
        foreach (var email in new[] { "assessor@example.org", "finance@example.org", Holder })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await _app.ApiClientAsync(email)).PostAsJsonAsync($"/api/grants/{grant.Id}/end", new { reason = "No" })).StatusCode);
        Assert.StartsWith("/Account/AccessDenied", (await (await _app.SignedInAsync("finance@example.org")).GetAsync($"/Staff/Grants/{grant.Id}/End")).Headers.Location!.PathAndQuery);
        Assert.Null((await (await _app.SignedInAsync("finance@example.org")).GetPageAsync($"/Staff/Applications/{grant.ApplicationId}")).QuerySelector("#end-grant"));
        // Only the holder declares; a grant officer's bad reason is refused naming the field, and nothing ends.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await _app.ApiClientAsync("finance@example.org")).PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 0 })).StatusCode);
        var officerApi = await _app.ApiClientAsync("officer@example.org");
        Assert.Equal("Enter why the grant is ending early; the grant holder is told",
            (await ErrorsOf(await officerApi.PostAsJsonAsync($"/api/grants/{grant.Id}/end", new { reason = "  " })))["reason"]);
        Assert.Equal("The reason must be 500 characters or fewer",
            (await ErrorsOf(await officerApi.PostAsJsonAsync($"/api/grants/{grant.Id}/end", new { reason = new string('x', 501) })))["reason"]);
        Assert.Equal(GrantStatus.Active, (await GrantAsync(grant.Id)).Status);

        // Recording the receipt is finance's: the grant holder cannot, and an officer cannot take the task.
        await (await _app.ApiClientAsync(Holder)).PostAsJsonAsync($"/api/grants/{grant.Id}/underspend", new { amount = 100 });
        var task = await _app.OpenTaskAsync(GrantClosure.Subject, grant.Id, "record-repayment");
        Assert.NotNull(task);
        var receipt = new { outcome = "received", amountReceived = 100, receivedOn = "2027-02-01", paymentReference = "REC-1" };
        Assert.Contains((await (await _app.ApiClientAsync(Holder)).PostAsJsonAsync($"/api/tasks/{task.Id}/complete", receipt)).StatusCode,
            new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        Assert.Contains((await (await _app.ApiClientAsync("assessor@example.org")).PostAsJsonAsync($"/api/tasks/{task.Id}/complete", receipt)).StatusCode,
            new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        Assert.Equal(InboxTaskStatus.Open, (await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == task.Id))).Status);
    }
}
