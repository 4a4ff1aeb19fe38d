using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Webhooks;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Integrating;

/// <summary>Signed events to other systems: registered by administrators, written with their change, delivered once, never in email's way.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();
    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static async Task<(Guid Id, string Secret)> RegisterAsync(GrantManagerFactory app, string url, params string[] events)
    {
        var admin = await app.ApiClientAsync("admin@example.org");
        var response = await admin.PostAsJsonAsync("/api/webhooks", new { url, events, description = "Finance system" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    [Fact]
    public void The_signature_matches_the_specifications_example()
    {
        // The example in the Standard Webhooks specification.
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""));
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
    }

    [Fact]
    public async Task A_finance_system_receives_signed_events_from_submission_to_payment_without_bank_details()
    {
        await using var app = new GrantManagerFactory();
        var (endpointId, secret) = await RegisterAsync(app, _receiver.Url("finance"), [.. WebhookEventTypes.All.Keys]);
        _receiver.Secrets["finance"] = secret;
        var listed = await (await app.ApiClientAsync("admin@example.org")).GetFromJsonAsync<JsonElement>("/api/webhooks");
        Assert.DoesNotContain("secret", listed.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(listed.EnumerateArray(), e => e.GetProperty("id").GetGuid() == endpointId && e.GetProperty("events").GetArrayLength() == 8);

        var grant = await app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31), 3000m);

        var submitted = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.ApplicationSubmitted);
        Assert.Equal(grant.ApplicationId, submitted.Data.GetProperty("applicationId").GetInt32());
        Assert.Equal(grant.Reference, submitted.Data.GetProperty("reference").GetString());
        Assert.Equal(3000m, submitted.Data.GetProperty("amountRequested").GetDecimal());
        Assert.Equal("Shepway Sports Trust", submitted.Data.GetProperty("organisation").GetProperty("name").GetString());

        var decided = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.ApplicationDecided);
        Assert.Equal("approved", decided.Data.GetProperty("decision").GetString());
        Assert.Equal(3000m, decided.Data.GetProperty("amountAwarded").GetDecimal());

        var awarded = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.GrantAwarded);
        Assert.Equal(grant.Id, awarded.Data.GetProperty("grantId").GetInt32());
        Assert.Equal(3000m, awarded.Data.GetProperty("amount").GetDecimal());
        Assert.Equal("2027-04-01", awarded.Data.GetProperty("startDate").GetString());
        Assert.Equal(grant.Instalments.OrderBy(i => i.Sequence).Select(i => i.Amount),
            awarded.Data.GetProperty("instalments").EnumerateArray().Select(i => i.GetProperty("amount").GetDecimal()));

        var first = grant.Instalments.Single(i => i.ReleasedBy == "acceptance");
        var released = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.PaymentReleased);
        Assert.Equal(first.Id, released.Data.GetProperty("instalmentId").GetInt32());
        Assert.Equal(first.Amount, released.Data.GetProperty("amount").GetDecimal());

        var pay = await app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, first.Id);
        await app.CompleteAsync(pay!.Id, "finance@example.org", new TaskCompletion("paid", null) { PaymentReference = "BACS-2027-0042" });
        var paid = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.PaymentPaid);
        Assert.Equal("BACS-2027-0042", paid.Data.GetProperty("paymentReference").GetString());
        Assert.Equal(grant.Reference, paid.Data.GetProperty("grantReference").GetString());

        var all = _receiver.For("finance");
        Assert.All(all, r => Assert.True(r.SignatureValid, $"{r.Type} signature {r.Signature}"));
        Assert.All(all, r => Assert.Matches("^msg_[0-9a-f]{32}$", r.Id));
        // One delivery per change: each event once, with its own id.
        Assert.Equal(all.Count, all.Select(r => r.Id).Distinct().Count());
        Assert.Equal(1, all.Count(r => r.Type == WebhookEventTypes.GrantAwarded));
        Assert.Equal(1, all.Count(r => r.Type == WebhookEventTypes.PaymentReleased));
        Assert.All(all, r => Assert.DoesNotMatch("(?i)sort.?code|account.?number|iban", r.Body));

        // The endpoint's page shows each delivery as delivered, with the receiver's answer: once the dispatcher has
        // recorded the answer, which it does just after the receiver has the event.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status != WebhookDeliveryStatus.Delivered)) > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(50);
        var page = await (await app.SignedInAsync("admin@example.org")).GetPageAsync($"/Admin/Webhooks/{endpointId}");
        var rows = page.QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(all.Count, rows.Count);
        Assert.All(rows, r => Assert.Contains("Delivered", r));
        Assert.All(rows, r => Assert.Contains("HTTP 200", r));
    }

    /// <summary>Moves a fake clock from timer to timer up to a moment, firing each as it falls due, and lets each webhook go before moving on.</summary>
    private static async Task RunUntilAsync(GrantManagerFactory app, FakeTimeProvider clock, DateTime until)
    {
        var processor = app.Services.GetRequiredService<TimerProcessor>();
        while (true)
        {
            var next = await app.WithDbAsync(db => db.WorkflowTimers.Where(t => t.Status == WorkflowTimerStatus.Pending && t.RunAt <= until)
                .OrderBy(t => t.RunAt).Select(t => (DateTime?)t.RunAt).FirstOrDefaultAsync());
            if (next is null) break;
            if (next > clock.GetUtcNow().UtcDateTime) clock.SetUtcNow(new DateTimeOffset(next.Value));
            await processor.RunDueAsync();
            await DeliveredAsync(app);
        }
        if (until > clock.GetUtcNow().UtcDateTime) clock.SetUtcNow(new DateTimeOffset(until));
    }

    /// <summary>
    /// Waits until the dispatcher has recorded every delivery as delivered. On a fake clock this comes before each move
    /// of the clock: jumping days ahead while a delivery is out would run out its lease, as a crashed node's does.
    /// </summary>
    private static async Task DeliveredAsync(GrantManagerFactory app)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (await app.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status != WebhookDeliveryStatus.Delivered)) > 0)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("Webhook deliveries were not delivered");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_progress_report_going_overdue_then_sent_and_accepted_reaches_the_finance_system_once_each_signed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
        _receiver.Clock = clock;
        await using var app = new GrantManagerFactory { Clock = clock }.Set("Workflows:RunTimers", "false");
        var (_, secret) = await RegisterAsync(app, _receiver.Url("finance"),
            WebhookEventTypes.ReturnSubmitted, WebhookEventTypes.ReturnAccepted, WebhookEventTypes.ReturnOverdue);
        _receiver.Secrets["finance"] = secret;
        var grant = await app.AwardAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31));
        var first = grant.Returns.OrderBy(r => r.Sequence).First();
        Assert.Equal(new DateOnly(2027, 7, 30), first.DueOn);

        // Not sent: it opens, is reminded before and on the day, and a week late its overdue reminder goes, and the event with it.
        await RunUntilAsync(app, clock, new DateTime(2027, 8, 6, 7, 59, 0, DateTimeKind.Utc));
        Assert.Empty(_receiver.For("finance"));
        await RunUntilAsync(app, clock, new DateTime(2027, 8, 6, 12, 0, 0, DateTimeKind.Utc));
        var overdue = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.ReturnOverdue);
        Assert.Equal(first.Id, overdue.Data.GetProperty("returnId").GetInt32());
        Assert.Equal(grant.Id, overdue.Data.GetProperty("grantId").GetInt32());
        Assert.Equal(grant.Reference, overdue.Data.GetProperty("grantReference").GetString());
        Assert.Equal("2027-07-30", overdue.Data.GetProperty("dueOn").GetString());
        Assert.Equal("Quarter to 30 June 2027", overdue.Data.GetProperty("period").GetString());
        Assert.Equal("Shepway Sports Trust", overdue.Data.GetProperty("organisation").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, overdue.Data.GetProperty("submittedAt").ValueKind);
        // The escalation to a grant officer a week later is no second overdue event.
        await RunUntilAsync(app, clock, new DateTime(2027, 8, 14, 12, 0, 0, DateTimeKind.Utc));

        await app.SubmitReturnAsync(first.Id, GrantJourney.FullReturn(12, 80));
        var submitted = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.ReturnSubmitted);
        Assert.Equal(first.Id, submitted.Data.GetProperty("returnId").GetInt32());
        Assert.Equal("2027-08-14T12:00:00Z", submitted.Data.GetProperty("submittedAt").GetString());
        await DeliveredAsync(app);

        clock.Advance(TimeSpan.FromDays(2));
        var review = await app.OpenTaskAsync(GrantWorkflows.ReturnSubject, first.Id, "review-return");
        await app.CompleteAsync(review!.Id, "officer@example.org", new TaskCompletion("accept-report", "Thank you."));
        var accepted = await _receiver.WaitForEventAsync("finance", WebhookEventTypes.ReturnAccepted);
        Assert.Equal(first.Id, accepted.Data.GetProperty("returnId").GetInt32());
        Assert.Equal("2027-08-16T12:00:00Z", accepted.Data.GetProperty("acceptedAt").GetString());
        Assert.Equal(first.ReleasesInstalment, accepted.Data.GetProperty("releasesInstalment").Deserialize<int?>());
        await DeliveredAsync(app);
        await RunUntilAsync(app, clock, new DateTime(2027, 9, 1, 0, 0, 0, DateTimeKind.Utc));

        // Each once, in the order they happened, each signed (with the webhook-timestamp of the service's clock) and with its own id.
        var all = _receiver.For("finance");
        Assert.Equal([WebhookEventTypes.ReturnOverdue, WebhookEventTypes.ReturnSubmitted, WebhookEventTypes.ReturnAccepted], all.Select(r => r.Type));
        Assert.All(all, r => Assert.True(r.SignatureValid, $"{r.Type} signature {r.Signature}"));
        Assert.Equal(3, all.Select(r => r.Id).Distinct().Count());
        Assert.All(all, r => Assert.DoesNotMatch("(?i)sort.?code|account.?number|iban", r.Body));
    }

    [Fact]
    public async Task A_hanging_receiver_and_a_failing_one_hold_up_neither_email_nor_another_receiver()
    {
        await using var app = new GrantManagerFactory().Set("Webhooks:Timeout", "00:05:00").Set("Webhooks:MaxAttempts", "2");
        _receiver.Answers["hang"] = WebhookReceiver.Answer.Hang;
        _receiver.Answers["fail"] = WebhookReceiver.Answer.Fail;
        var hang = await RegisterAsync(app, _receiver.Url("hang"), WebhookEventTypes.ApplicationSubmitted);
        var fail = await RegisterAsync(app, _receiver.Url("fail"), WebhookEventTypes.ApplicationSubmitted);
        var (_, secret) = await RegisterAsync(app, _receiver.Url("crm"), WebhookEventTypes.ApplicationSubmitted);
        _receiver.Secrets["crm"] = secret;

        var first = await app.SubmitApplicationAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31));
        await _receiver.WaitForAsync("hang", got => got.Count == 1);
        await _receiver.WaitForAsync("fail", got => got.Count == 1);
        // While the first receiver still holds its request (for up to five minutes), the others and email go on.
        var crm = await _receiver.WaitForEventAsync("crm", WebhookEventTypes.ApplicationSubmitted);
        Assert.True(crm.SignatureValid);
        var reference = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == first).Select(a => a.Reference).SingleAsync());
        await app.Smtp.WaitForAsync("applicant@example.org", $"We have received your application {reference}");
        var second = await app.SubmitApplicationAsync(new DateOnly(2027, 5, 1), new DateOnly(2028, 4, 30));
        await _receiver.WaitForAsync("crm", got => got.Count == 2);
        // Each delivery waits on its own: both of the hanging receiver's are still out.
        await _receiver.WaitForAsync("hang", got => got.Count == 2);
        Assert.Equal(2, _receiver.Hanging("hang"));

        // The failing receiver's delivery waits for its retry, with its answer kept; the hanging one is still out.
        // The receiver has answered; the sender records that answer just after it, so wait for the record.
        WebhookDelivery failed;
        var until = DateTime.UtcNow.AddSeconds(30);
        do
        {
            failed = await app.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == fail.Id).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).FirstAsync());
            if (failed.LastStatusCode is not null || DateTime.UtcNow > until) break;
            await Task.Delay(50);
        }
        while (true);
        Assert.Equal(500, failed.LastStatusCode);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal(WebhookDeliveryStatus.Pending, failed.Status);
        Assert.True(failed.NextAttemptAt > app.Now());
        var page = await (await app.SignedInAsync("admin@example.org")).GetPageAsync($"/Admin/Webhooks/{fail.Id}");
        Assert.Contains("HTTP 500", page.QuerySelector("tbody")!.TextContent);
        Assert.Contains("Retrying", page.QuerySelector("tbody")!.TextContent);
        Assert.NotEqual(second, first);
    }

    [Fact]
    public async Task A_dead_lettered_delivery_is_sent_again_from_the_endpoints_page_with_the_same_id()
    {
        await using var app = new GrantManagerFactory().Set("Webhooks:MaxAttempts", "1");
        _receiver.Answers["erp"] = WebhookReceiver.Answer.Fail;
        var (endpointId, secret) = await RegisterAsync(app, _receiver.Url("erp"), WebhookEventTypes.ApplicationSubmitted);
        _receiver.Secrets["erp"] = secret;
        await app.SubmitApplicationAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31));
        var refused = (await _receiver.WaitForAsync("erp", got => got.Count == 1)).Single();

        var admin = await app.SignedInAsync("admin@example.org");
        WebhookDelivery dead = null!;
        await _receiver.WaitForAsync("erp", _ =>
        {
            dead = app.WithDbAsync(db => db.WebhookDeliveries.SingleAsync(d => d.EndpointId == endpointId)).Result;
            return dead.Status == WebhookDeliveryStatus.DeadLetter;
        });
        var page = await admin.GetPageAsync($"/Admin/Webhooks/{endpointId}");
        Assert.Contains("Not delivered", page.QuerySelector("tbody")!.TextContent);

        _receiver.Answers["erp"] = WebhookReceiver.Answer.Ok;
        var resent = await admin.SubmitFormAsync(page, $"/Admin/Webhooks/{endpointId}", new(), formSelector: "tbody form");
        Assert.Equal(HttpStatusCode.Redirect, resent.StatusCode);
        var again = (await _receiver.WaitForAsync("erp", got => got.Count == 2))[1];
        Assert.Equal(refused.Id, again.Id);
        Assert.Equal(refused.Body, again.Body);
        Assert.True(again.SignatureValid);
        await _receiver.WaitForAsync("erp", _ => app.WithDbAsync(db => db.WebhookDeliveries.SingleAsync(d => d.EndpointId == endpointId)).Result.Status == WebhookDeliveryStatus.Delivered);
    }

    [Fact]
    public async Task An_event_written_before_a_restart_is_delivered_once_after_it()
    {
        var before = new GrantManagerFactory { HandOver = true }.Set("Webhooks:RunDispatcher", "false");
        Guid endpointId;
        await using (before)
        {
            var (id, secret) = await RegisterAsync(before, _receiver.Url("crm"), WebhookEventTypes.ApplicationSubmitted);
            (endpointId, _receiver.Secrets["crm"]) = (id, secret);
            await before.SubmitApplicationAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31));
            Assert.Equal(1, await before.WithDbAsync(db => db.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Pending)));
            Assert.Empty(_receiver.For("crm"));
        }
        await using var after = GrantManagerFactory.After(before, null);
        _ = after.Services;
        var got = (await _receiver.WaitForAsync("crm", r => r.Count == 1)).Single();
        Assert.True(got.SignatureValid);
        Assert.Equal(WebhookEventTypes.ApplicationSubmitted, got.Type);
        // Further passes find nothing more to send.
        var dispatcher = after.Services.GetRequiredService<WebhookDispatcher>();
        await _receiver.WaitForAsync("crm", _ => after.WithDbAsync(db => db.WebhookDeliveries.SingleAsync(d => d.EndpointId == endpointId)).Result.Status == WebhookDeliveryStatus.Delivered);
        Assert.Equal(0, await dispatcher.StartDueAsync());
        await dispatcher.WhenIdleAsync();
        Assert.Single(_receiver.For("crm"));
    }

    [Fact]
    public async Task An_endpoint_added_on_the_page_shows_its_secret_once_to_whoever_added_it_across_a_restart_and_a_reload_adds_nothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var before = new GrantManagerFactory { HandOver = true, Clock = clock }.Set("Webhooks:RunDispatcher", "false");
        string location;
        WebhookEndpoint endpoint;
        await using (before)
        {
            var admin = await before.SignedInAsync("admin@example.org");
            var added = await admin.SubmitFormAsync("/Admin/Webhooks", new()
            {
                ["Input.Url"] = _receiver.Url("crm"), ["Input.Events"] = $"{WebhookEventTypes.ApplicationSubmitted}|{WebhookEventTypes.GrantAwarded}",
                ["Input.Description"] = "CRM (Dynamics)",
            });
            // Post, redirect, get: the answer to the form is a redirect to the new endpoint's page, so reloading adds nothing.
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
            location = added.Headers.Location!.OriginalString;
            endpoint = await before.WithDbAsync(db => db.WebhookEndpoints.SingleAsync());
            Assert.Equal($"/Admin/Webhooks/{endpoint.Id}", location);
            Assert.Equal(_receiver.Url("crm"), endpoint.Url);
            Assert.Equal([WebhookEventTypes.ApplicationSubmitted, WebhookEventTypes.GrantAwarded], endpoint.EventList);
            Assert.Equal("CRM (Dynamics)", endpoint.Description);
            Assert.Equal("Adam Administrator", endpoint.CreatedBy);
            Assert.Equal(clock.GetUtcNow().UtcDateTime, endpoint.CreatedAt);
        }

        // The service restarts before the administrator's browser follows the redirect (the clock has moved on).
        clock.Advance(TimeSpan.FromMinutes(10));
        await using var after = GrantManagerFactory.After(before, clock);
        var other = await after.WithAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<User>>();
            var user = new User { UserName = "admin2@example.org", Email = "admin2@example.org", EmailConfirmed = true, DisplayName = "Bea Administrator", CreatedAt = clock.GetUtcNow().UtcDateTime };
            Assert.True((await users.CreateAsync(user, DemoData.Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Administrator)).Succeeded);
            return user;
        });
        // Another administrator opening the page first does not see it, and does not use up its one showing.
        var colleague = await after.SignedInAsync(other.Email!);
        var seenByColleague = await colleague.GetPageAsync(location);
        Assert.Null(seenByColleague.QuerySelector("#secret"));
        Assert.DoesNotContain(endpoint.Secret, seenByColleague.Body!.TextContent);

        var admin2 = await after.SignedInAsync("admin@example.org");
        var first = await admin2.GetPageAsync(location);
        Assert.Equal(endpoint.Secret, first.QuerySelector("#secret")!.TextContent.Trim());
        Assert.Contains("Endpoint added for", first.QuerySelector(".govuk-notification-banner")!.TextContent);

        var reloaded = await admin2.GetPageAsync(location);
        Assert.Null(reloaded.QuerySelector("#secret"));
        Assert.DoesNotContain(endpoint.Secret, reloaded.Body!.TextContent);
        Assert.Equal("Shown once, when the endpoint was added", reloaded.QuerySelector("#secret-status")!.TextContent.Trim());
        var list = await admin2.GetPageAsync("/Admin/Webhooks");
        Assert.DoesNotContain(endpoint.Secret, list.Body!.TextContent);
        Assert.Equal(1, await after.WithDbAsync(db => db.WebhookEndpoints.CountAsync()));
        Assert.Null(await after.WithDbAsync(db => db.WebhookEndpoints.Select(e => e.SecretRevealTo).SingleAsync()));

        // The list names who added it, as people are named everywhere else, not by their sign-in address.
        var row = Assert.Single(list.QuerySelectorAll("tbody tr"));
        Assert.Contains("by Adam Administrator", row.TextContent);
        Assert.DoesNotContain("admin@example.org", row.TextContent);
        Assert.Contains("by Adam Administrator", reloaded.QuerySelector(".govuk-summary-list")!.TextContent);
    }

    [Fact]
    public async Task Addresses_that_are_not_https_or_point_inside_the_network_are_refused_naming_the_field()
    {
        await using var app = new GrantManagerFactory().Set("Webhooks:AllowInsecure", "false");
        var admin = await app.ApiClientAsync("admin@example.org");
        foreach (var url in new[] { "http://93.184.215.14/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://192.168.0.10/hooks",
                     "https://169.254.169.254/latest", "https://[::1]/hooks", "https://[fd00::1]/hooks", "https://localhost/hooks", "ftp://93.184.215.14/", "https://user:pw@93.184.215.14/", "" })
        {
            var response = await admin.PostAsJsonAsync("/api/webhooks", new { url, events = new[] { "grant.awarded" } });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), url);
        }
        var noEvents = await admin.PostAsJsonAsync("/api/webhooks", new { url = "https://93.184.215.14/hooks", events = new[] { "grant.stolen" } });
        Assert.Equal(HttpStatusCode.BadRequest, noEvents.StatusCode);
        Assert.Contains("grant.stolen", (await noEvents.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("events")[0].GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.WebhookEndpoints.CountAsync()));

        var allowed = await admin.PostAsJsonAsync("/api/webhooks", new { url = "https://93.184.215.14/hooks", events = new[] { "grant.awarded" } });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);

        // The page says the same in a GOV.UK error summary.
        var page = await app.SignedInAsync("admin@example.org");
        var refused = await page.SubmitFormAsync("/Admin/Webhooks", new() { ["Input.Url"] = "https://10.0.0.8/hooks" });
        var errors = (await refused.ReadPageAsync()).ErrorSummary();
        Assert.Contains(errors, e => e.Contains("private or local address"));
        Assert.Contains(errors, e => e.Contains("Choose at least one event"));
    }

    [Fact]
    public async Task Only_administrators_may_see_or_change_webhooks()
    {
        await using var app = new GrantManagerFactory();
        var (endpointId, _) = await RegisterAsync(app, _receiver.Url("x"), WebhookEventTypes.GrantAwarded);
        foreach (var email in new[] { "applicant@example.org", "officer@example.org", "finance@example.org" })
        {
            var api = await app.ApiClientAsync(email);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/webhooks")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url("y"), events = new[] { "grant.awarded" } })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.DeleteAsync($"/api/webhooks/{endpointId}")).StatusCode);
            var browser = await app.SignedInAsync(email);
            foreach (var path in new[] { "/Admin/Webhooks", $"/Admin/Webhooks/{endpointId}" })
            {
                var response = await browser.GetAsync(path);
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{email} {path}: {response.StatusCode}");
                if (response.StatusCode == HttpStatusCode.Redirect) Assert.Contains("AccessDenied", response.Headers.Location!.ToString());
            }
        }
        Assert.Equal(1, await app.WithDbAsync(db => db.WebhookEndpoints.CountAsync()));
        var admin = await app.ApiClientAsync("admin@example.org");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/webhooks/{endpointId}")).StatusCode);
    }
}
