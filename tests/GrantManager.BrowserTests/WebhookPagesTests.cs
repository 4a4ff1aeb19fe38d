using GrantManager.Core.Data;
using GrantManager.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class WebhookPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_administrator_adds_an_endpoint_with_the_keyboard_and_reads_its_deliveries_at_desktop_and_phone_width()
    {
        foreach (var width in new[] { 1280, 375 })
        {
            var page = await browser.NewPageAsync(width);
            await browser.SignInAsync(page, "admin@example.org");
            await page.GotoAsync("/Admin/Webhooks", BrowserFixture.Opened);
            // A mistake first: the error summary names both fields.
            await page.GetByRole(AriaRole.Button, new() { Name = "Add the endpoint" }).ClickAsync();
            await page.Locator(".govuk-error-summary").WaitForAsync();
            Assert.Contains("Choose at least one event", await page.Locator(".govuk-error-summary").TextContentAsync());
            await browser.AssertAccessibleAsync(page, $"webhooks-errors-{width}");

            var url = $"https://93.184.215.14/finance-{width}";
            await page.GetByLabel("Address that receives the events").FillAsync(url);
            await page.GetByLabel("grant.awarded").CheckAsync();
            await page.GetByLabel("payment.paid").FocusAsync();
            await page.Keyboard.PressAsync("Space");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add the endpoint" }).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            // The new endpoint's own page, showing its secret this once.
            await page.Locator("#secret").WaitForAsync();
            Assert.Matches("^/Admin/Webhooks/[0-9a-f-]{36}$", new Uri(page.Url).AbsolutePath);
            Assert.StartsWith("whsec_", (await page.Locator("#secret").TextContentAsync())!.Trim());
            await BrowserFixture.AssertFitsAsync(page, $"webhooks-{width}");
            await browser.AssertAccessibleAsync(page, $"webhooks-{width}");

            Guid id;
            await using (var scope = browser.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
                var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Url == url);
                Assert.Equal("grant.awarded payment.paid", endpoint.Events);
                id = endpoint.Id;
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(), EndpointId = id, EventId = Guid.CreateVersion7(), EventType = WebhookEventTypes.GrantAwarded, Payload = "{}",
                    Status = WebhookDeliveryStatus.DeadLetter, Attempts = 8, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow,
                    LastStatusCode = 503, LastError = "The receiver answered 503 Service Unavailable",
                });
                await db.SaveChangesAsync();
            }
            // Reloading the endpoint's page shows its deliveries and no longer the secret.
            await page.ReloadAsync(BrowserFixture.Reopened);
            Assert.Equal(0, await page.Locator("#secret").CountAsync());
            Assert.Contains("HTTP 503", await page.Locator("main table").TextContentAsync());
            Assert.Contains("Not delivered", await page.Locator("main table").TextContentAsync());
            await BrowserFixture.AssertFitsAsync(page, $"webhook-endpoint-{width}");
            await browser.AssertAccessibleAsync(page, $"webhook-endpoint-{width}");
            await page.CloseAsync();
        }
    }
}
