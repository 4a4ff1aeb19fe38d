using System.Net;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>The applicant's pages, posted as a browser would: eligibility, task list, sections, check answers, submit.</summary>
public sealed class ApplicantPagesTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static Dictionary<string, string> Yes() => new()
    {
        ["Input.InKent"] = "true", ["Input.Community"] = "true", ["Input.TwelveMonths"] = "true", ["Input.Wellbeing"] = "true",
    };

    private async Task<int> FundIdAsync() => await app.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());

    [Fact]
    public async Task The_organisation_profile_checks_numbers_and_postcode_and_keeps_leading_zeros()
    {
        var applicant = await app.SignedInAsync("applicant2@example.org");
        var profile = new Dictionary<string, string>
        {
            ["Input.Name"] = "Swale Arts Collective CIC", ["Input.OrganisationType"] = "Charity", ["Input.CharityNumber"] = "", ["Input.CompanyNumber"] = "987654",
            ["Input.AddressLine1"] = "2 Sea Street", ["Input.Town"] = "Sheerness", ["Input.Postcode"] = "not a postcode",
            ["Input.ContactName"] = "Ben Applicant", ["Input.ContactEmail"] = "ben@", ["Input.ContactPhone"] = "",
        };
        var errors = (await (await applicant.SubmitFormAsync("/Applicant/Organisation", profile)).ReadPageAsync()).ErrorSummary();
        Assert.Contains("Enter your registered charity number", errors);
        Assert.Contains("Enter a real postcode, like ME14 1XQ", errors);
        Assert.Contains("Enter an email address in the correct format, like name@example.org", errors);
        var unchanged = await app.WithDbAsync(db => db.Organisations.SingleAsync(o => o.Name == "Swale Arts Collective CIC"));
        Assert.Equal("ME10 4AA", unchanged.Postcode);

        profile["Input.OrganisationType"] = "CommunityInterestCompany";
        profile["Input.Postcode"] = "me12 1aa";
        profile["Input.ContactEmail"] = "ben@swale-arts.example";
        var saved = await applicant.SubmitFormAsync("/Applicant/Organisation", profile);
        Assert.Equal("/Applicant", saved.Headers.Location!.OriginalString);
        var organisation = await app.WithDbAsync(db => db.Organisations.SingleAsync(o => o.Name == "Swale Arts Collective CIC"));
        Assert.Equal(("00987654", "ME12 1AA"), (organisation.CompanyNumber, organisation.Postcode));
    }

    [Fact]
    public async Task An_ineligible_answer_stops_with_the_reason_and_starts_nothing()
    {
        var applicant = await app.SignedInAsync("applicant2@example.org");
        var url = $"/Applicant/Apply?fund={await FundIdAsync()}";
        var before = await app.WithDbAsync(db => db.Applications.CountAsync());

        var unanswered = await applicant.PostFormAsync(url, new(), url);
        Assert.Contains("Say whether the project will take place in Kent", (await unanswered.ReadPageAsync()).ErrorSummary());
        var answers = Yes();
        answers["Input.Community"] = "false";
        var refused = await applicant.SubmitFormAsync(url, answers);
        // A page of its own, so Back returns to the questions rather than to a resubmitted form.
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var page = await applicant.GetPageAsync(refused.Headers.Location!.OriginalString);

        Assert.Equal("You cannot apply to this fund", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("only for voluntary and community groups", page.QuerySelector("main")!.TextContent);
        Assert.Equal(before, await app.WithDbAsync(db => db.Applications.CountAsync()));
    }

    [Fact]
    public async Task An_applicant_completes_each_section_checks_answers_and_submits()
    {
        var applicant = await app.SignedInAsync("applicant@example.org");
        var applyUrl = $"/Applicant/Apply?fund={await FundIdAsync()}";
        var started = await applicant.PostFormAsync(applyUrl, Yes(), applyUrl);
        var home = started.Headers.Location!.OriginalString;
        Assert.Matches(@"^/Applicant/Applications/\d+$", home);
        var taskList = await applicant.GetPageAsync(home);
        Assert.Equal(6, taskList.QuerySelectorAll(".govuk-task-list__item").Length);
        Assert.Contains("Completed", taskList.QuerySelectorAll(".govuk-task-list__item")[0].TextContent);
        Assert.Contains("Optional", taskList.QuerySelectorAll(".govuk-task-list__item")[4].TextContent);
        Assert.Contains("Cannot start yet", taskList.QuerySelectorAll(".govuk-task-list__item")[5].TextContent);

        // The project, with a date that does not exist first.
        var project = new Dictionary<string, string>
        {
            ["Input.ProjectTitle"] = "Men's Shed Thanet", ["Input.ProjectSummary"] = "A workshop space where men meet, make and talk.",
            ["Input.Innovation"] = "The first shed in Kent run with a mental health nurse.", ["Input.Beneficiaries"] = "Older men in Thanet who are isolated.",
            ["Input.Districts"] = "Thanet",
            ["Input.StartDay"] = "31", ["Input.StartMonth"] = "2", ["Input.StartYear"] = $"{app.Now().Year + 1}",
            ["Input.EndDay"] = "1", ["Input.EndMonth"] = "12", ["Input.EndYear"] = $"{app.Now().Year + 1}",
        };
        project["Input.ProjectSummary"] = "A workshop space where men meet, make and talk.\n    Indented second line.";
        var bad = await applicant.PostFormAsync($"{home}/Project", project);
        var badPage = await bad.ReadPageAsync();
        Assert.Contains("The start date must be a real date, like 1 4 2027", badPage.ErrorSummary());
        // What was typed comes back exactly, indentation and all.
        Assert.Equal(project["Input.ProjectSummary"], badPage.QuerySelector("#Input_ProjectSummary")!.TextContent.Replace("\r\n", "\n"));
        // An end date that has passed is reported too, though the start cannot be compared with it.
        var bothBad = (await (await applicant.PostFormAsync($"{home}/Project", new(project) { ["Input.EndDay"] = "1", ["Input.EndMonth"] = "1", ["Input.EndYear"] = "2020" })).ReadPageAsync()).ErrorSummary();
        Assert.Contains("The start date must be a real date, like 1 4 2027", bothBad);
        Assert.Contains("The end date must be after today: 1 January 2020 has passed", bothBad);
        project["Input.StartDay"] = "1";
        Assert.Equal(home, (await applicant.PostFormAsync($"{home}/Project", project)).Headers.Location!.OriginalString);

        var outcomes = await applicant.PostFormAsync($"{home}/Outcomes", new() { ["Input.Targets[people-supported]"] = "lots" });
        Assert.Contains("People supported: enter a number more than 0, like 120, or leave it blank", (await outcomes.ReadPageAsync()).ErrorSummary());
        await applicant.PostFormAsync($"{home}/Outcomes", new() { ["Input.Targets[people-supported]"] = "45", ["Input.Targets[volunteer-hours]"] = "1,200", ["Input.Targets[local-spend]"] = "£2,000" });

        // A budget that does not add up is saved, with the difference explained, and stops submission.
        await applicant.PostFormAsync($"{home}/Budget", new()
        {
            ["Input.AmountRequested"] = "6000", ["Input.Lines[0].Item"] = "Tools and timber", ["Input.Lines[0].Amount"] = "2500",
            ["Input.Lines[1].Item"] = "", ["Input.Lines[1].Amount"] = "", // a blank row between, as the form sends it
            ["Input.Lines[2].Item"] = "Nurse sessions", ["Input.Lines[2].Amount"] = "3000",
        });
        var refused = await (await applicant.PostFormAsync($"{home}/Submit", new() { ["Declaration"] = "true" })).ReadPageAsync();
        Assert.Contains("The budget lines add up to £5,500 but you are asking for £6,000; they must be the same", refused.ErrorSummary());
        await applicant.PostFormAsync($"{home}/Budget", new()
        {
            ["Input.AmountRequested"] = "6000", ["Input.Lines[0].Item"] = "Tools and timber", ["Input.Lines[0].Amount"] = "3000",
            ["Input.Lines[1].Item"] = "Nurse sessions", ["Input.Lines[1].Amount"] = "3000",
        });

        var check = await applicant.GetPageAsync($"{home}/Submit");
        Assert.Contains("Men's Shed Thanet", check.QuerySelector("main")!.TextContent);
        Assert.Contains("£6,000", check.QuerySelector("main")!.TextContent);
        string? Answer(AngleSharp.Dom.IDocument page, string key) => page.QuerySelectorAll(".govuk-summary-list__row")
            .FirstOrDefault(r => r.QuerySelector("dt")?.TextContent.Trim() == key)?.QuerySelector(".govuk-summary-list__value")?.TextContent.Trim();
        // A target counted in pounds reads as money; a count does not.
        Assert.Equal("£2,000", Answer(check, "Spend with Kent suppliers"));
        Assert.Equal("1,200", Answer(check, "Volunteer hours"));
        Assert.Contains(check.QuerySelectorAll(".govuk-summary-list__actions a"), a => a.GetAttribute("href") == $"{home}/Budget");
        var noDeclaration = await applicant.PostFormAsync($"{home}/Submit", new());
        Assert.Contains("Confirm the declaration to submit your application", (await noDeclaration.ReadPageAsync()).ErrorSummary());

        var submitted = await applicant.PostFormAsync($"{home}/Submit", new() { ["Declaration"] = "true" });
        Assert.Equal(home, submitted.Headers.Location!.OriginalString);
        var status = await applicant.GetPageAsync(home);
        Assert.Equal("Submitted", status.QuerySelector(".govuk-summary-list .govuk-tag")!.TextContent.Trim());
        Assert.Contains((await applicant.GetPageAsync("/Applicant")).QuerySelectorAll("td .govuk-tag"), t => t.TextContent.Trim() == "Submitted");
        Assert.Contains("Application submitted. Your reference is LWK-", status.QuerySelector(".govuk-notification-banner")!.TextContent);
        Assert.Contains("We have emailed you a receipt.", status.QuerySelector(".govuk-notification-banner")!.TextContent);
        Assert.Equal("£2,000", Answer(status, "Spend with Kent suppliers"));
        await app.Smtp.WaitForAsync("applicant@example.org", "We have received your application");

        // Once submitted, the sections cannot be changed.
        Assert.Equal(home, (await applicant.GetAsync($"{home}/Project")).Headers.Location!.OriginalString);
        var other = await app.SignedInAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(home)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{home}/Budget")).StatusCode);
    }
}
