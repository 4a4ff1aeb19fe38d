using GrantManager.Core.Data;
using GrantManager.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class UndeliveredEmailPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_administrator_filters_undelivered_email_and_sends_it_again_with_the_keyboard_at_desktop_and_phone_width()
    {
        var id = Guid.CreateVersion7();
        await using (var scope = browser.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GrantDbContext>();
            db.OutboxEmails.Add(new OutboxEmail
            {
                Id = id, ToAddress = "refused-by-relay@example.net", Subject = "Your application", TextBody = "Text", HtmlBody = "<p>Text</p>",
                Template = "application-submitted", Status = OutboxStatus.DeadLetter, Attempts = 1, CreatedAt = DateTime.UtcNow, NextAttemptAt = DateTime.UtcNow,
                LastError = "SMTP 550: 5.7.1 Sender address rejected: not permitted to relay",
            });
            await db.SaveChangesAsync();
        }

        foreach (var width in new[] { 1280, 375 })
        {
            var page = await browser.NewPageAsync(width);
            await browser.SignInAsync(page, "admin@example.org");
            await page.GotoAsync("/Admin/Emails", BrowserFixture.Opened);
            await page.GetByLabel("Error contains").FillAsync("not permitted to relay");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await page.WaitForURLAsync("**/Admin/Emails?*", BrowserFixture.Arrived);
            await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("refused-by-relay@example.net");
            await BrowserFixture.AssertFitsAsync(page, $"undelivered-email-{width}");
            await browser.AssertAccessibleAsync(page, $"undelivered-email-{width}");
            if (width != 375) continue;

            await page.GetByRole(AriaRole.Button, new() { Name = "Send it again" }).FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await page.Locator(".govuk-notification-banner").WaitForAsync();
            Assert.Contains("1 email will be sent again", await page.Locator(".govuk-notification-banner").TextContentAsync());
        }
        await using var check = browser.Services.CreateAsyncScope();
        var status = await check.ServiceProvider.GetRequiredService<GrantDbContext>().OutboxEmails.Where(m => m.Id == id).Select(m => m.Status).SingleAsync();
        Assert.NotEqual(OutboxStatus.DeadLetter, status);
    }
}
