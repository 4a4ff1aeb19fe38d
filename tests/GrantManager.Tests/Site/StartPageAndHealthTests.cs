using System.Net;
using System.Net.Http.Json;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Site;

public sealed class StartPageAndHealthTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Fact]
    public async Task Start_page_lists_the_open_Live_Well_Kent_fund_in_the_council_layout()
    {
        var page = await app.Browser().GetPageAsync("/");

        Assert.Equal("Apply for a community grant", page.QuerySelector("h1")!.TextContent.Trim());
        var funds = page.QuerySelectorAll(".govuk-summary-card__title").Select(e => e.TextContent.Trim()).ToList();
        Assert.Contains("Live Well Kent innovation grant", funds);
        Assert.Contains("£500 to £10,000", page.QuerySelector(".govuk-summary-card")!.TextContent);
        Assert.Contains("Kent County Council", page.QuerySelector(".app-header")!.TextContent);
        Assert.NotNull(page.QuerySelector("link[href^='/lib/council.css']"));
        Assert.Null(page.QuerySelector(".govuk-header__logotype, .govuk-footer__copyright-logo"));
    }

    [Fact]
    public async Task Pages_are_compressed_for_a_browser_that_asks()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await app.Browser().SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var unzipped = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        Assert.Contains("<h1", await new StreamReader(unzipped).ReadToEndAsync());
    }

    [Fact]
    public async Task The_stylesheet_uses_Arial_and_not_the_GOVUK_font()
    {
        var css = await app.CreateClient().GetStringAsync("/lib/council.css");
        Assert.Contains("arial", css, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("GDS Transport", css);
        Assert.Contains(".govuk-button", css);
    }

    [Fact]
    public async Task Health_answers_200_when_the_database_is_reachable()
    {
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_page_gets_the_friendly_404_page()
    {
        var response = await app.Browser().GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("Page not found", page.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task An_unknown_API_address_gets_problem_details()
    {
        var client = await app.ApiClientAsync("officer@example.org");
        var response = await client.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Seeding_again_adds_nothing_twice()
    {
        async Task<(int, int, int, int)> Count() => await app.WithDbAsync(async db =>
            (await db.Users.CountAsync(), await db.Organisations.CountAsync(), await db.Funds.CountAsync(), await db.Rounds.CountAsync()));
        var before = await Count();

        await app.Scoped(sp => sp.GetRequiredService<DemoData>().SeedAsync());

        Assert.Equal(before, await Count());
        Assert.Equal(8, before.Item1);
        Assert.Equal(1, before.Item3);
    }

    [Fact]
    public async Task Demo_fund_money_is_stored_as_whole_pence()
    {
        var pence = await app.WithDbAsync(async db =>
        {
            var conn = db.Database.GetDbConnection();
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT MaximumAward, typeof(MaximumAward) FROM Funds WHERE Code = 'LWK'";
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetString(1));
        });
        Assert.Equal((1_000_000L, "integer"), pence);
    }
}
