using System.Net.Http.Json;
using System.Text.Json;

namespace GrantManager.BrowserTests;

/// <summary>The applications and grants registers, the bulk action pages, the case file and the paged inbox pass axe at desktop width and at 375 pixels, and fit the phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RegisterPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_register_case_file_and_inbox_are_accessible_on_a_desktop_and_a_phone()
    {
        var applicant = await browser.ApiAsync("applicant@example.org");
        var fundId = (await applicant.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().First().GetProperty("id").GetInt32();
        var created = await (await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId, projectTitle = "Walking football for older men", projectSummary = "Weekly sessions.", innovation = "Led by former players.",
            beneficiaries = "Men over 60 in Thanet", districts = new[] { "Thanet" }, startDate = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM-01"),
            endDate = DateTime.UtcNow.AddMonths(12).ToString("yyyy-MM-01"), amountRequested = 2100m,
            budget = new[] { new { item = "Pitch hire", amount = 2100m } }, outcomes = new[] { new { measure = "people-supported", target = 40m } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        (await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).EnsureSuccessStatusCode();

        var urls = new[] { "/Staff/Applications", "/Staff/Applications?q=walking&amountFrom=lots", $"/Staff/Applications/{id}", "/Staff/Inbox", "/Staff/Grants", "/Staff/Grants?amountFrom=lots" };
        foreach (var width in new[] { 1280, 375 })
        {
            var page = await browser.NewPageAsync(width);
            await browser.SignInAsync(page, "officer@example.org");
            foreach (var url in urls)
            {
                var response = await page.GotoAsync(url, BrowserFixture.Opened);
                Assert.True(response?.Ok, $"{url}: HTTP {response?.Status}");
                var name = $"register-{width}{url.Replace('/', '-').Replace('?', '-').Replace('=', '-').Replace('&', '-')}";
                await browser.AssertAccessibleAsync(page, name);
                if (width == 375) await BrowserFixture.AssertFitsAsync(page, name);
            }

            // The bulk action pages, reached by ticking a row and pressing a button, as an officer would.
            async Task CheckAsync(string step)
            {
                var name = $"register-{width}-bulk-{step}";
                await browser.AssertAccessibleAsync(page, name);
                if (width == 375) await BrowserFixture.AssertFitsAsync(page, name);
            }
            foreach (var button in new[] { "Give the selected tasks to someone", "Message the selected applicants" })
            {
                await page.GotoAsync("/Staff/Applications?q=walking", BrowserFixture.Opened);
                await page.Locator($"#select-{id}").CheckAsync();
                await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = button }).ClickAsync();
                await CheckAsync(button.Split(' ')[0].ToLowerInvariant());
            }
            await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Preview the message" }).ClickAsync();
            await CheckAsync("preview");
        }
    }
}
