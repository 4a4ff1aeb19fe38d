using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>An applicant applies through the task list and an officer takes it through the inbox to an offer; axe on every page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ApplicationJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_applicant_applies_and_an_officer_approves_from_the_inbox()
    {
        var applicant = await browser.NewPageAsync();
        await browser.SignInAsync(applicant, "applicant@example.org");
        await browser.AssertAccessibleAsync(applicant, "journey-01-applicant-home");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Start an application to the Live Well Kent innovation grant" }).ClickAsync();

        await browser.AssertAccessibleAsync(applicant, "journey-02-eligibility");
        foreach (var yes in new[] { "#Input_InKent", "#Input_Community", "#Input_TwelveMonths", "#Input_Wellbeing" })
            await applicant.Locator(yes).CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await applicant.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/Applicant/Applications/\d+$"));
        var home = applicant.Url;
        await browser.AssertAccessibleAsync(applicant, "journey-03-task-list");

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Your project" }).ClickAsync();
        await applicant.GetByLabel("Project title").FillAsync("Singing for wellbeing, Dartford");
        await applicant.GetByLabel("Summary of the project").FillAsync("A weekly community choir for people with low mood.");
        await applicant.GetByLabel("What is innovative about it?").FillAsync("Sessions co-led by a music therapist and peer singers.");
        await applicant.GetByLabel("Who will benefit?").FillAsync("Adults in Dartford and Gravesham, about 60 a year.");
        await applicant.GetByLabel("Dartford").CheckAsync();
        await applicant.GetByLabel("Gravesham").CheckAsync();
        var year = (DateTime.UtcNow.Year + 1).ToString();
        await applicant.Locator("#Input_StartDay").FillAsync("1");
        await applicant.Locator("#Input_StartMonth").FillAsync("4");
        await applicant.Locator("#Input_StartYear").FillAsync(year);
        await applicant.Locator("#Input_EndDay").FillAsync("31");
        await applicant.Locator("#Input_EndMonth").FillAsync("3");
        await applicant.Locator("#Input_EndYear").FillAsync((DateTime.UtcNow.Year + 2).ToString());
        await browser.AssertAccessibleAsync(applicant, "journey-04-project");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Outcomes and social value" }).ClickAsync();
        await applicant.GetByLabel("People supported (people)").FillAsync("60");
        await applicant.GetByLabel("Volunteer hours (hours)").FillAsync("400");
        await browser.AssertAccessibleAsync(applicant, "journey-05-outcomes");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Budget" }).ClickAsync();
        await applicant.GetByLabel("How much are you asking for?").FillAsync("4800");
        await applicant.Locator("#Input_Lines_0__Item").FillAsync("Music therapist");
        await applicant.Locator("#Input_Lines_0__Amount").FillAsync("3600");
        await applicant.Locator("#Input_Lines_1__Item").FillAsync("Hall hire");
        await applicant.Locator("#Input_Lines_1__Amount").FillAsync("1200");
        await browser.AssertAccessibleAsync(applicant, "journey-06-budget");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();

        await applicant.GetByRole(AriaRole.Link, new() { Name = "Check your answers and submit" }).ClickAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Submit the application" }).ClickAsync();
        await Assertions.Expect(applicant.Locator(".govuk-error-summary")).ToBeFocusedAsync();
        await browser.AssertAccessibleAsync(applicant, "journey-07-check-answers-error");
        await applicant.GetByLabel("I agree with the declaration").CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Submit the application" }).ClickAsync();
        await applicant.WaitForURLAsync(home);
        var reference = (await applicant.Locator(".govuk-caption-l").TextContentAsync())!.Split(", ").Last().Trim();
        Assert.Contains("Application submitted", await applicant.Locator(".govuk-notification-banner").TextContentAsync());
        await browser.AssertAccessibleAsync(applicant, "journey-08-submitted");

        // The officer finds it in the inbox and finds it eligible.
        var officer = await browser.NewPageAsync();
        await browser.SignInAsync(officer, "officer@example.org");
        await officer.GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync();
        await browser.AssertAccessibleAsync(officer, "journey-09-inbox");
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Check eligibility for {reference}" }).ClickAsync();
        await officer.Locator(".mermaid svg").WaitForAsync();
        await browser.AssertAccessibleAsync(officer, "journey-10-task-eligibility");
        await officer.GetByLabel("Eligible", new() { Exact = true }).CheckAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox");

        // Two assessments over the API.
        var id = int.Parse(home.Split('/').Last());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var api = await browser.ApiAsync(email);
            var task = (await api.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
            var taskId = task.GetProperty("id").GetInt64();
            (await api.PostAsJsonAsync($"/api/tasks/{taskId}/declare", new { hasConflict = false })).EnsureSuccessStatusCode();
            var scores = task.GetProperty("criteria").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetInt32().ToString(), _ => 4);
            (await api.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { outcome = "fund", comment = "A well-evidenced plan.", scores })).EnsureSuccessStatusCode();
        }

        // Under £5,000: the officer decides.
        await officer.ReloadAsync();
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Decide under delegated authority for {reference}" }).ClickAsync();
        await officer.GetByRole(AriaRole.Radio, new() { Name = "Approve" }).CheckAsync();
        Assert.Equal(2, await officer.Locator("table").First.Locator("tbody tr").CountAsync());
        await officer.GetByLabel("Note for the file").FillAsync("Approved: strong assessments.");
        await browser.AssertAccessibleAsync(officer, "journey-11-task-decision");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox");
        Assert.Contains("Offer made", await officer.Locator(".govuk-notification-banner").TextContentAsync());

        // The applicant accepts the offer.
        await applicant.GotoAsync(home);
        await browser.AssertAccessibleAsync(applicant, "journey-12-offer");
        await applicant.GetByLabel("Accept the offer").CheckAsync();
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await applicant.WaitForURLAsync(home);
        Assert.Contains("awarded", await applicant.Locator(".govuk-summary-list .govuk-tag").TextContentAsync());
        await browser.AssertAccessibleAsync(applicant, "journey-13-awarded");

        // The first progress report: a draft, an error, checked, then sent.
        await applicant.Locator("a[href^='/Applicant/Returns/']").First.ClickAsync();
        await applicant.WaitForURLAsync("**/Applicant/Returns/*");
        var returnUrl = applicant.Url;
        await browser.AssertAccessibleAsync(applicant, "journey-14-return-form");
        await applicant.GetByLabel("Progress so far").FillAsync("Twelve people have joined the weekly calls.");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue to check and send" }).ClickAsync();
        Assert.Contains("Enter how many people the project has reached so far", await applicant.Locator(".govuk-error-summary").TextContentAsync());
        await browser.AssertAccessibleAsync(applicant, "journey-15-return-errors");
        foreach (var input in await applicant.Locator("input[name^='Input.Spend']").AllAsync()) await input.FillAsync("150");
        foreach (var input in await applicant.Locator("input[name^='Input.Actuals']").AllAsync()) await input.FillAsync("12");
        await applicant.GetByLabel("People reached so far").FillAsync("12");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Continue to check and send" }).ClickAsync();
        await applicant.WaitForURLAsync(returnUrl + "/Check");
        Assert.Contains("Twelve people have joined the weekly calls.", await applicant.Locator("main").TextContentAsync());
        await browser.AssertAccessibleAsync(applicant, "journey-15-return-check");
        await applicant.GetByRole(AriaRole.Button, new() { Name = "Send the report" }).ClickAsync();
        await applicant.WaitForURLAsync(returnUrl);
        Assert.Contains("Your progress report has been sent", await applicant.Locator(".govuk-notification-banner").TextContentAsync());
        await browser.AssertAccessibleAsync(applicant, "journey-16-return-sent");

        // The officer reviews it from the inbox and accepts it.
        await officer.GotoAsync(browser.BaseUrl + "/Staff/Inbox");
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Review the progress report for {reference}/R1" }).ClickAsync();
        Assert.Contains("Twelve people have joined the weekly calls.", await officer.Locator("main").TextContentAsync());
        await officer.GetByRole(AriaRole.Radio, new() { Name = "Accept the report" }).CheckAsync();
        await browser.AssertAccessibleAsync(officer, "journey-17-return-review");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await officer.WaitForURLAsync("**/Staff/Inbox");
        await applicant.GotoAsync(returnUrl);
        Assert.Contains("Accepted", await applicant.Locator(".govuk-summary-list .govuk-tag").TextContentAsync());

        // The fund dashboard and the quarterly report.
        await officer.GotoAsync(browser.BaseUrl + "/Staff");
        await officer.GetByRole(AriaRole.Link, new() { Name = "Dashboard for Live Well Kent" }).First.ClickAsync();
        Assert.Contains("Social value committed", await officer.Locator("main").TextContentAsync());
        await browser.AssertAccessibleAsync(officer, "journey-18-fund-dashboard");
        await officer.GetByRole(AriaRole.Link, new() { Name = "Quarterly highlight report" }).ClickAsync();
        await browser.AssertAccessibleAsync(officer, "journey-19-quarterly-report");
    }
}
