using GrantManager.Core.Workflows;
using System.Net;
using System.Text.Json.Nodes;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.OpenData;
using GrantManager.Core.Organisations;
using GrantManager.Tests.Support;
using Json.Schema;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.OpenData;

/// <summary>Awarded grants published as 360Giving data: valid against the standard's own schema, identifiers and places for every kind of organisation, nothing personal.</summary>
public sealed class ThreeSixtyGivingTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    /// <summary>The standard's schemas, copied beside the tests (the same files as shared/data/360giving).</summary>
    private static string DataFolder() => Path.Combine(AppContext.BaseDirectory, "OpenData", "Standard");

    private static readonly Lazy<JsonSchema> Package = new(() =>
    {
        var folder = DataFolder();
        // The package schema (1.4.3) names the grant schema by its 1.4.2 address: give it the local copy rather than fetching.
        // The files name the draft 2020-12 meta-schema by its http address; the validator knows it by https.
        JsonSchema Read(string file) => JsonSchema.FromText(File.ReadAllText(Path.Combine(folder, file))
            .Replace("\"http://json-schema.org/draft/2020-12/schema\"", "\"https://json-schema.org/draft/2020-12/schema\""));
        var grant = Read("360-giving-schema.json");
        SchemaRegistry.Global.Register(new Uri("https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"), grant);
        return Read("360-giving-package-schema.json");
    });

    private static int _recipients;

    private async Task<Grant> AwardToAsync(string name, OrganisationType type, string? charity, string? company, string postcode)
    {
        var email = $"recipient{Interlocked.Increment(ref _recipients)}@example.net";
        await NewApplicant.RegisterAsync(app, email, name, type.ToString());
        await app.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            var o = await db.Organisations.SingleAsync(x => x.Id == user.OrganisationId);
            (o.CharityNumber, o.CompanyNumber, o.AddressLine1, o.Town, o.Postcode) = (charity, company, "1 High Street", "Sittingbourne", postcode);
            (o.ContactName, o.ContactEmail, o.ContactPhone) = ("Connie Contact", "connie.private@example.net", "01795 000111");
            return await db.SaveChangesAsync();
        });
        var start = app.Today().AddMonths(1);
        return await app.AwardAsync(start, start.AddMonths(12).AddDays(-1), 3000m, email);
    }

    [Fact]
    public async Task Awarded_grants_publish_as_a_valid_360Giving_package_with_org_ids_places_and_nothing_personal()
    {
        var charity = await AwardToAsync("Milton Regis Carers", OrganisationType.CharitableIncorporatedOrganisation, "1187654", null, "ME10 2AB");
        var company = await AwardToAsync("Sheppey Sounds", OrganisationType.CommunityInterestCompany, null, "01234567", "ME12 1AA");
        var group = await AwardToAsync("Faversham Friday Walkers", OrganisationType.UnregisteredGroup, null, null, "ME13 7AA");
        // Finance pays the company's first instalment: it counts as disbursed.
        var payment = await app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
            .FirstAsync(t => t.Status == GrantManager.Core.Workflows.InboxTaskStatus.Open && t.Instance!.SubjectType == GrantWorkflows.InstalmentSubject
                && t.Instance.SubjectReference!.StartsWith(company.Reference)));
        await app.CompleteAsync(payment.Id, "finance@example.org", new TaskCompletion("paid", null) { PaymentReference = "BACS-7788" });

        var anonymous = app.CreateClient();
        var response = await anonymous.GetAsync("/open-data/360giving.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var package = JsonNode.Parse(text)!;
        var result = Package.Value.Evaluate(package, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, string.Join("\n", result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));

        // The check is real: a grant without its currency or with a bad award date fails it.
        var broken = JsonNode.Parse(text)!;
        broken["grants"]![0]!.AsObject().Remove("currency");
        broken["grants"]![1]!["awardDate"] = "1 March 2027";
        Assert.False(Package.Value.Evaluate(broken, new EvaluationOptions { RequireFormatValidation = true }).IsValid);

        Assert.Equal("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", package["license"]!.GetValue<string>());
        Assert.Equal("GB-LAE-KEN", package["publisher"]!["identifier"]!.GetValue<string>());
        var grants = package["grants"]!.AsArray().ToDictionary(g => g!["id"]!.GetValue<string>(), g => g!);
        JsonNode Of(Grant g) => grants[$"360G-kent-demo-{g.Reference}"];

        Assert.Equal("GB-CHC-1187654", Of(charity)["recipientOrganization"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("1187654", Of(charity)["recipientOrganization"]![0]!["charityNumber"]!.GetValue<string>());
        Assert.Equal("ME10 2AB", Of(charity)["recipientOrganization"]![0]!["postalCode"]!.GetValue<string>());
        Assert.Equal("GB-COH-01234567", Of(company)["recipientOrganization"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("01234567", Of(company)["recipientOrganization"]![0]!["companyNumber"]!.GetValue<string>());
        var groupOrg = Of(group)["recipientOrganization"]![0]!;
        Assert.Equal($"360G-kent-demo-org-{await app.WithDbAsync(db => db.Organisations.Where(o => o.Name == "Faversham Friday Walkers").Select(o => o.Id).SingleAsync())}",
            groupOrg["id"]!.GetValue<string>());
        Assert.Null(groupOrg["postalCode"]);

        var places = Of(company)["beneficiaryLocation"]!.AsArray().Select(l => (l!["name"]!.GetValue<string>(), l["geoCode"]!.GetValue<string>(), l["geoCodeType"]!.GetValue<string>())).ToList();
        Assert.Equal([("Maidstone", "E07000110", "NMD"), ("Swale", "E07000113", "NMD")], places);
        Assert.Equal(1500m, Of(company)["amountDisbursed"]!.GetValue<decimal>());
        Assert.Equal(0m, Of(group)["amountDisbursed"]!.GetValue<decimal>());
        Assert.Equal((3000m, 3000m), (Of(group)["amountAwarded"]!.GetValue<decimal>(), Of(group)["amountAppliedFor"]!.GetValue<decimal>()));
        Assert.Equal(12, Of(group)["plannedDates"]![0]!["duration"]!.GetValue<int>());
        Assert.Equal(("LWK", "Live Well Kent innovation grant"), (Of(group)["grantProgramme"]![0]!["code"]!.GetValue<string>(), Of(group)["grantProgramme"]![0]!["title"]!.GetValue<string>()));
        Assert.Equal("Yes", Of(group)["fromOpenCall"]!.GetValue<string>());

        // Nothing personal: no contact names, addresses or telephone numbers.
        foreach (var secret in new[] { "connie.private@example.net", "Connie Contact", "01795 000111", "1 High Street", "Priya Newcomer" })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task The_CSV_and_XLSX_carry_the_standard_column_titles_and_neutralise_formulas()
    {
        await AwardToAsync("=HYPERLINK(\"http://x\") Club", OrganisationType.CompanyLimitedByGuarantee, null, "SC123456", "CT1 1AA");
        var csv = await app.CreateClient().GetStringAsync("/open-data/360giving.csv");
        var lines = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimEnd('\r').Split(',');
        foreach (var column in new[] { "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Identifier", "Recipient Org:Name",
                     "Funding Org:Identifier", "Funding Org:Name", "Amount Applied For", "Amount Disbursed", "Planned Dates:Start Date", "Planned Dates:End Date",
                     "Planned Dates:Duration (months)", "Recipient Org:Charity Number", "Recipient Org:Company Number", "Recipient Org:Postal Code",
                     "Beneficiary Location:Name", "Beneficiary Location:Geographic Code", "Beneficiary Location:Geographic Code Type", "Grant Programme:Code",
                     "Grant Programme:Title", "From An Open Call?", "Last Modified", "Data Source" })
            Assert.Contains(column, header);
        var row = lines.Single(l => l.Contains("HYPERLINK"));
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\") Club\"", row);
        Assert.Contains("GB-COH-SC123456", row);

        var xlsx = await app.CreateClient().GetAsync("/open-data/360giving.xlsx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType!.MediaType);
        using var zip = new System.IO.Compression.ZipArchive(await xlsx.Content.ReadAsStreamAsync());
        using var sheet = new StreamReader(zip.Entries.First(e => e.FullName.StartsWith("xl/worksheets/")).Open());
        var xml = await sheet.ReadToEndAsync();
        Assert.Contains("Recipient Org:Identifier", xml);
        Assert.Contains("GB-COH-SC123456", xml);
    }

    [Fact]
    public async Task The_quality_page_lists_what_to_fix_grant_by_grant_for_administrators_only()
    {
        var grant = await AwardToAsync("Postcode Mixup Trust", OrganisationType.Charity, "ME10 4AA", null, "ME10 4AA");
        await app.WithDbAsync(async db =>
        {
            var a = await db.Applications.SingleAsync(x => x.Id == grant.ApplicationId);
            a.ProjectTitle = a.ProjectSummary = "Same words";
            return await db.SaveChangesAsync();
        });
        var admin = await app.SignedInAsync("admin@example.org");
        var rows = (await admin.GetPageAsync("/Admin/OpenData")).QuerySelectorAll("tbody tr")
            .Where(r => r.TextContent.Contains(grant.Reference)).Select(r => r.TextContent).ToList();
        Assert.Contains(rows, r => r.Contains("Recipient Org:Charity Number") && r.Contains("'ME10 4AA' looks like a postcode"));
        Assert.Contains(rows, r => r.Contains("the description is the same as the title"));
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Admin/OpenData")).Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("1187654", null, "GB-CHC-1187654")]
    [InlineData(" 1187654 ", "01234567", "GB-CHC-1187654")]
    [InlineData("SC012345", null, "GB-SC-SC012345")]
    [InlineData(null, "01234567", "GB-COH-01234567")]
    [InlineData(null, "sc123456", "GB-COH-SC123456")]
    [InlineData("", " ", "360G-kent-demo-org-42")]
    public void The_recipient_org_id_comes_from_the_charity_then_the_company_number(string? charity, string? company, string expected) =>
        Assert.Equal(expected, ThreeSixtyGiving.RecipientIdentifier("kent-demo", 42, charity, company));

    [Fact]
    public async Task Grants_wait_the_publishing_delay_and_a_grant_without_districts_is_placed_in_the_council_area()
    {
        await using var delayed = new GrantManagerFactory().Set("OpenData:PublishAfter", "30.00:00:00");
        var start = app.Today().AddMonths(1);
        var grant = await delayed.AwardAsync(start, start.AddMonths(6));
        var package = JsonNode.Parse(await delayed.CreateClient().GetStringAsync("/open-data/360giving.json"))!;
        Assert.DoesNotContain(package["grants"]!.AsArray(), g => g!["id"]!.GetValue<string>().EndsWith(grant.Reference));
        Assert.DoesNotContain(grant.Reference, await delayed.CreateClient().GetStringAsync("/open-data/360giving.csv"));

        // Published at once here; the district list emptied, the grant is placed in Kent as a whole (CTY).
        var soon = await AwardToAsync("Area Wide Walkers", OrganisationType.Charity, "1176543", null, "ME14 1XX");
        await app.WithDbAsync(async db =>
        {
            var a = await db.Applications.SingleAsync(x => x.Id == soon.ApplicationId);
            a.SetDistricts([]);
            return await db.SaveChangesAsync();
        });
        var grants = JsonNode.Parse(await app.CreateClient().GetStringAsync("/open-data/360giving.json"))!["grants"]!.AsArray();
        var location = grants.Single(g => g!["id"]!.GetValue<string>() == $"360G-kent-demo-{soon.Reference}")!["beneficiaryLocation"]!.AsArray().Single()!;
        Assert.Equal(("Kent", "E10000016", "CTY"), (location["name"]!.GetValue<string>(), location["geoCode"]!.GetValue<string>(), location["geoCodeType"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("2027-04-01", "2028-03-31", 12)]
    [InlineData("2027-04-15", "2027-10-14", 6)]
    [InlineData("2027-04-01", "2027-04-20", 1)]
    [InlineData("2027-01-31", "2027-07-30", 6)]
    public void Planned_duration_is_in_whole_months_counting_a_part_month(string start, string end, int months) =>
        Assert.Equal(months, ThreeSixtyGiving.Months(DateOnly.Parse(start), DateOnly.Parse(end)));
}
