using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Webhooks;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
        var failed = await app.WithDbAsync(db => db.WebhookDeliveries.Where(d => d.EndpointId == fail.Id).OrderBy(d => d.CreatedAt).FirstAsync());
        Assert.Equal(500, failed.LastStatusCode);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal(WebhookDeliveryStatus.Pending, failed.Status);
        Assert.True(failed.NextAttemptAt > DateTime.UtcNow);
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
            // Registered on the page: the secret is shown once, on the answer to the form.
            var admin = await before.SignedInAsync("admin@example.org");
            var added = await admin.SubmitFormAsync("/Admin/Webhooks", new()
            {
                ["Input.Url"] = _receiver.Url("crm"), ["Input.Events"] = WebhookEventTypes.ApplicationSubmitted, ["Input.Description"] = "CRM",
            });
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            var shown = (await added.ReadPageAsync()).QuerySelector("#secret")!.TextContent.Trim();
            _receiver.Secrets["crm"] = shown;
            var endpoint = await before.WithDbAsync(db => db.WebhookEndpoints.SingleAsync());
            (endpointId, var stored) = (endpoint.Id, endpoint.Secret);
            Assert.Equal(stored, shown);
            Assert.Equal(["application.submitted"], endpoint.EventList);
            Assert.Equal("CRM", endpoint.Description);
            Assert.DoesNotContain(shown, (await admin.GetPageAsync("/Admin/Webhooks")).Body!.TextContent);

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
