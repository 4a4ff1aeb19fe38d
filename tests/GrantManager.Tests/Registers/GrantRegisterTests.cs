using GrantManager.Tests.Support;

namespace GrantManager.Tests.Registers;

/// <summary>The grants register: amounts, payments so far, next report and payment, filtered and sorted, for staff who look after grants.</summary>
public sealed class GrantRegisterTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static readonly DateOnly Start = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(2);

    [Fact]
    public async Task An_officer_finds_grants_with_what_is_paid_and_what_is_next()
    {
        var first = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, first, "Sandgate Sailing Club", "1212001", "CT20 3AA");
        var small = await app.AwardAsync(Start, Start.AddMonths(11), 2000m, first);
        var second = $"grant-{Guid.NewGuid():N}@example.org";
        await NewApplicant.RegisterCharityAsync(app, second, "Sandgate Shore Cleaners", "1212002", "CT20 3AB");
        var large = await app.AwardAsync(Start, Start.AddMonths(11), 4000m, second);

        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff/Grants?q=sandgate&sort=amount&desc=true");
        Assert.Equal("2 grants", page.QuerySelector("#register-total")!.TextContent.Trim());
        var rows = page.QuerySelectorAll("#grants tbody tr").ToList();
        Assert.Equal([large.Id.ToString(), small.Id.ToString()], rows.Select(r => r.GetAttribute("data-grant")!));
        var cells = rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.StartsWith(large.Reference, cells[0]);
        Assert.Contains("Sandgate Shore Cleaners", cells[1]);
        Assert.Equal("£4,000", cells[2]);
        Assert.Equal("£0", cells[3]);
        var firstReport = large.Returns.OrderBy(r => r.Sequence).First();
        Assert.Contains(firstReport.Period, cells[4]);
        Assert.Equal("0", cells[5]);
        Assert.Equal("£2,000 (due)", cells[6]);
        Assert.Equal($"/Staff/Applications/{large.ApplicationId}", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Active: 2", page.QuerySelector("#status-counts a[data-status=active]")!.TextContent.Trim());

        var filtered = await officer.GetPageAsync("/Staff/Grants?q=sandgate&amountTo=3000");
        Assert.Equal(small.Id.ToString(), Assert.Single(filtered.QuerySelectorAll("#grants tbody tr")).GetAttribute("data-grant"));
        Assert.Empty((await officer.GetPageAsync("/Staff/Grants?q=sandgate&late=true")).QuerySelectorAll("#grants tbody tr"));
        Assert.Equal(["Amount from must be an amount in pounds, like 2500"], (await officer.GetPageAsync("/Staff/Grants?amountFrom=lots")).ErrorSummary());

        var finance = await app.SignedInAsync("finance@example.org");
        Assert.Equal(2, (await finance.GetPageAsync("/Staff/Grants?q=sandgate")).QuerySelectorAll("#grants tbody tr").Length);
    }

    [Fact]
    public async Task Applicants_and_assessors_are_refused_the_grants_register()
    {
        var email = $"grant-{Guid.NewGuid():N}@example.org";
        var applicant = await NewApplicant.RegisterCharityAsync(app, email, "Seabrook Singers", "1212003", "CT21 4AA");
        Assert.StartsWith("/Account/AccessDenied", (await applicant.GetAsync("/Staff/Grants")).Headers.Location!.PathAndQuery);
        var assessor = await app.SignedInAsync("assessor@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await assessor.GetAsync("/Staff/Grants")).Headers.Location!.PathAndQuery);
    }
}
