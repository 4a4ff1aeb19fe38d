using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>The districts a project serves: one row each, kept in the order chosen, audited as a list, filtered by exact name.</summary>
public sealed class DistrictsTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static string Squash(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public async Task A_drafts_districts_change_as_one_audited_list_and_the_register_filters_by_each()
    {
        var email = $"districts-{Guid.NewGuid():N}@example.org";
        var client = await NewApplicant.RegisterAsync(app, email, "Deal Rowing Club", fullName: "Dee Districts");
        var fundId = await app.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());
        var started = await client.SubmitFormAsync($"/Applicant/Apply?fund={fundId}", new()
        {
            ["Input.InKent"] = "true", ["Input.Community"] = "true", ["Input.TwelveMonths"] = "true", ["Input.Wellbeing"] = "true",
        });
        var draft = started.Headers.Location!.OriginalString;
        var id = int.Parse(draft.Split('/').Last());
        await client.SubmitFormAsync($"{draft}/Project", new() { ["Input.Districts"] = "Thanet|Dover" });
        await client.SubmitFormAsync($"{draft}/Project", new() { ["Input.Districts"] = "Dover|Swale" });

        var stored = await app.WithDbAsync(db => db.ApplicationDistricts.Where(d => d.ApplicationId == id).OrderBy(d => d.Position).Select(d => d.District).ToListAsync());
        Assert.Equal(["Dover", "Swale"], stored);
        var changes = (await app.WithDbAsync(db => db.AuditEntries.Where(a => a.SubjectType == "application" && a.SubjectId == id.ToString()).OrderBy(a => a.Id).ToListAsync()))
            .SelectMany(e => e.ChangeList).Where(c => c.Field == "Districts").Select(c => (c.From, c.To)).ToList();
        Assert.Equal([(null, "Thanet, Dover"), ("Thanet, Dover", "Dover, Swale")], changes);

        var officer = await app.SignedInAsync("officer@example.org");
        var file = await officer.GetPageAsync($"/Staff/Applications/{id}");
        Assert.Contains("Districts: Thanet, Dover → Dover, Swale", Squash(file.QuerySelector("#changes + .app-table-scroll, #changes ~ .app-table-scroll")!.TextContent));

        var api = await app.ApiClientAsync("officer@example.org");
        List<int> Ids(JsonElement rows) => rows.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(id, Ids(await api.GetFromJsonAsync<JsonElement>($"/api/applications?q=deal&district=Swale")));
        Assert.Contains(id, Ids(await api.GetFromJsonAsync<JsonElement>($"/api/applications?q=deal&district=Dover")));
        Assert.DoesNotContain(id, Ids(await api.GetFromJsonAsync<JsonElement>($"/api/applications?q=deal&district=Thanet")));
        // A district is matched by its whole name, never part of one.
        Assert.DoesNotContain(id, Ids(await api.GetFromJsonAsync<JsonElement>($"/api/applications?q=deal&district=Dove")));
        var row = (await api.GetFromJsonAsync<JsonElement>($"/api/applications?q=deal&district=Swale")).EnumerateArray().Single(r => r.GetProperty("id").GetInt32() == id);
        Assert.Equal(["Dover", "Swale"], row.GetProperty("districts").EnumerateArray().Select(d => d.GetString()));
    }
}
