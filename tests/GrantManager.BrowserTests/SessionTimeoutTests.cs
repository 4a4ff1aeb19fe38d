using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>The timeout warning on signed-in pages, and answers kept when a sign-in ends before a form is sent.</summary>
[Collection(JourneyCollection.Name)]
public sealed class SessionTimeoutTests(BrowserFixture browser)
{
    [Fact]
    public async Task Typed_answers_come_back_after_the_session_ends_and_they_sign_in_again()
    {
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "admin@example.org");
        await page.GotoAsync("/Admin/Users/Create", BrowserFixture.Opened);
        await page.GetByLabel("Full name").FillAsync("Kept Answers");
        await page.GetByLabel("Email address").FillAsync("kept@kent.example.gov.uk");
        await page.GetByLabel("Assessor").CheckAsync();

        // The sign-in ends (as if the cookie had expired) while they are typing; then they send the form.
        await page.Context.ClearCookiesAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the account" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Login?ReturnUrl=*", BrowserFixture.Arrived);
        Assert.Contains("We have kept them in this browser", await page.Locator("#kept-answers").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "session-kept-answers");

        await page.GetByLabel("Email address").FillAsync("admin@example.org");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Core.Data.DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/Admin/Users/Create", BrowserFixture.Arrived);

        Assert.Equal("Kept Answers", await page.GetByLabel("Full name").InputValueAsync());
        Assert.Equal("kept@kent.example.gov.uk", await page.GetByLabel("Email address").InputValueAsync());
        Assert.True(await page.GetByLabel("Assessor").IsCheckedAsync());
        Assert.Contains("We have put back what you typed", await page.Locator("#restored-answers").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "session-restored-answers");

        // Sent again, it works; coming back to the form later shows it empty, with no notice.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the account" }).ClickAsync();
        await page.WaitForURLAsync("**/Admin/Users", BrowserFixture.Arrived);
        Assert.Contains("Account added for Kept Answers", await page.Locator(".govuk-notification-banner").First.TextContentAsync());
        await page.GotoAsync("/Admin/Users/Create", BrowserFixture.Opened);
        Assert.Equal("", await page.GetByLabel("Full name").InputValueAsync());
        Assert.Equal(0, await page.Locator("#restored-answers").CountAsync());
    }

    [Fact]
    public async Task Two_minutes_before_the_sign_in_ends_a_dialog_offers_to_stay_signed_in()
    {
        var page = await browser.NewPageAsync();
        await page.Clock.InstallAsync();
        await browser.SignInAsync(page, "officer@example.org");
        await page.GotoAsync("/Staff", BrowserFixture.Opened);
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "You are about to be signed out" });
        Assert.False(await dialog.IsVisibleAsync());

        await page.Clock.RunForAsync((long)TimeSpan.FromMinutes(28.5).TotalMilliseconds);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        Assert.Contains("You will be signed out in 2 minutes", await dialog.TextContentAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stay signed in" })).ToBeFocusedAsync();
        await browser.AssertAccessibleAsync(page, "session-timeout-warning");

        // Stay signed in: the dialog closes and the page carries on.
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay signed in" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // Escape also means stay signed in.
        await page.Clock.RunForAsync((long)TimeSpan.FromMinutes(28.5).TotalMilliseconds);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // Left alone, the time runs out: signed out, to the sign-in page, which says why.
        await page.Clock.RunForAsync((long)TimeSpan.FromMinutes(31).TotalMilliseconds);
        await page.WaitForURLAsync("**/Account/Login?timedOut=true*", BrowserFixture.Arrived);
        Assert.Contains("You have been signed out", await page.Locator("#signed-out-notice").TextContentAsync());
        var status = (await page.APIRequest.GetAsync("/Staff", new() { MaxRedirects = 0 })).Status;
        Assert.Equal(302, status);
    }
}
