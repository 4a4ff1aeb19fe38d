using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>The change-password page, reached from the header, passes axe on a desktop and a 375 px phone, errors included.</summary>
[Collection(JourneyCollection.Name)]
public sealed class ChangePasswordPageTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_change_password_page_and_its_errors_are_accessible(int width)
    {
        var page = await browser.NewPageAsync(width);
        await browser.SignInAsync(page, "assessor@example.org");
        // At phone width the header's links are behind the menu button.
        var menu = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        if (await menu.IsVisibleAsync()) await menu.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Change password" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/ChangePassword", BrowserFixture.Arrived);
        await browser.AssertAccessibleAsync(page, $"change-password-{width}");
        await BrowserFixture.AssertFitsAsync(page, $"change-password-{width}");

        await page.GetByLabel("Current password").FillAsync("not-the-password-1");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("another-long-phrase-5");
        await page.GetByLabel("Confirm your new password").FillAsync("a-different-phrase-5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await page.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Equal("The passwords do not match", (await page.Locator(".govuk-error-summary__list a").InnerTextAsync()).Trim());
        await browser.AssertAccessibleAsync(page, $"change-password-errors-{width}");
        await BrowserFixture.AssertFitsAsync(page, $"change-password-errors-{width}");
    }
}
