using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class SignInJourneyTests(BrowserFixture browser)
{
    /// <summary>The start page's axe check is the new group's journey's first step, at both widths.</summary>
    [Fact]
    public async Task The_start_page_lists_the_open_fund()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/", BrowserFixture.Opened);
        Assert.Equal("Live Well Kent innovation grant", (await page.Locator(".govuk-summary-card__title").First.TextContentAsync())?.Trim());
    }

    [Fact]
    public async Task The_demo_officer_signs_in_with_the_keyboard_and_reaches_the_staff_home()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/Login", BrowserFixture.Opened);
        await browser.AssertAccessibleAsync(page, "sign-in");

        // The skip link is the first thing a keyboard user reaches.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to main content", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));

        await page.GetByLabel("Email address").FillAsync("officer@example.org");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Core.Data.DemoData.Password);
        await page.GetByLabel("Password", new() { Exact = true }).PressAsync("Enter");
        await page.WaitForURLAsync("**/Staff", BrowserFixture.Arrived);

        Assert.Equal("Staff home", (await page.Locator("h1").TextContentAsync())?.Trim());
        Assert.Contains("Olivia Officer", await page.Locator("main").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "staff-home");
    }

    [Fact]
    public async Task A_sign_in_mistake_shows_the_error_summary_focused_and_passes_axe()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/Account/Login", BrowserFixture.Opened);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        var summary = page.Locator(".govuk-error-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        Assert.Contains("Enter your email address", await summary.TextContentAsync());
        await page.Locator(".govuk-error-summary a", new() { HasText = "Enter your email address" }).ClickAsync();
        Assert.Equal("Input_Email", await page.EvaluateAsync<string>("document.activeElement.id"));
        await browser.AssertAccessibleAsync(page, "sign-in-errors");
    }

    /// <summary>The registration page's axe check is in the new group's journey, at both widths.</summary>
    [Fact]
    public async Task The_applicant_home_passes_axe()
    {
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "applicant@example.org");
        await page.WaitForURLAsync("**/Applicant", BrowserFixture.Arrived);
        Assert.Contains("Shepway Sports Trust", await page.Locator("main").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "applicant-home");
    }

    [Fact]
    public async Task The_administrator_adds_a_staff_account_and_the_pages_pass_axe()
    {
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "admin@example.org");
        await page.GotoAsync("/Admin/Users/Create", BrowserFixture.Opened);
        await browser.AssertAccessibleAsync(page, "add-staff-account");
        await page.GetByLabel("Full name").FillAsync("Bea Browser");
        await page.GetByLabel("Email address").FillAsync("bea@kent.example.gov.uk");
        await page.GetByLabel("Assessor").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the account" }).ClickAsync();
        await page.WaitForURLAsync("**/Admin/Users", BrowserFixture.Arrived);
        Assert.Contains("Account added for Bea Browser", await page.Locator(".govuk-notification-banner").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "users");

        await page.GetByRole(AriaRole.Link, new() { Name = "Funds admin" }).ClickAsync();
        await browser.AssertAccessibleAsync(page, "funds-admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "Live Well Kent innovation grant" }).ClickAsync();
        Assert.Contains("Need and benefit", await page.Locator("main").TextContentAsync());
        await browser.AssertAccessibleAsync(page, "fund-admin");
    }
}
