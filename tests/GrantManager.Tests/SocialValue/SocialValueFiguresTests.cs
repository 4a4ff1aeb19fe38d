using GrantManager.Core.SocialValue;

namespace GrantManager.Tests.SocialValue;

/// <summary>The social value formula and the rule for which proxy version values a period, on hand-worked figures.</summary>
public sealed class SocialValueFiguresTests
{
    private static ProxyVersion Proxy(decimal pounds, decimal deadweight = 0, decimal attribution = 100, string applies = "2000-01-01", int version = 1, string code = "people-supported") =>
        new() { MeasureCode = code, Version = version, PoundsPerUnit = pounds, DeadweightPercent = deadweight, AttributionPercent = attribution, AppliesFrom = DateOnly.Parse(applies) };

    [Fact]
    public void Net_value_takes_off_deadweight_and_keeps_the_attributed_share()
    {
        // Gross: 40 people × £120 = £4,800.
        // Net: 40 × £120 × (1 − 0.25) × 0.8 = £4,800 × 0.75 × 0.8 = £2,880.
        Assert.Equal(new SocialValueFigure(4800m, 2880m), Proxy(120m, deadweight: 25, attribution: 80).Value(40));
    }

    [Fact]
    public void The_defaults_change_nothing_net_equals_gross()
    {
        // 0% deadweight and 100% attribution: 7 hours × £12.50 × (1 − 0) × 1 = £87.50, gross and net.
        Assert.Equal(new SocialValueFigure(87.50m, 87.50m), new ProxyVersion { PoundsPerUnit = 12.50m }.Value(7));
    }

    [Fact]
    public void Each_figure_is_rounded_to_the_penny_once_at_the_end()
    {
        // Gross: 3 × £0.33 = £0.99. Net: £0.99 × (1 − 0.125) × 1 = £0.86625, which is £0.87 (half a penny and more rounds up).
        Assert.Equal(new SocialValueFigure(0.99m, 0.87m), Proxy(0.33m, deadweight: 12.5m).Value(3));
        // Net: 1 × £0.10 × (1 − 0.75) × 0.5 = £0.0125, which is £0.01.
        Assert.Equal(new SocialValueFigure(0.10m, 0.01m), Proxy(0.10m, deadweight: 75, attribution: 50).Value(1));
    }

    [Fact]
    public void A_period_is_valued_with_the_version_in_force_on_its_last_day()
    {
        var book = new ProxyBook([
            Proxy(10m, version: 1),
            Proxy(12m, applies: "2027-04-01", version: 2),
            // Recorded later for the same day: it replaces version 2 from that day.
            Proxy(15m, applies: "2027-04-01", version: 3),
            // Recorded now to apply next year: the past is not revalued.
            Proxy(20m, applies: "2028-04-01", version: 4),
            Proxy(5m, applies: "2027-06-01", code: "volunteers"),
        ]);
        Assert.Equal(1, book.InForce("people-supported", new DateOnly(2027, 3, 31))!.Version);
        Assert.Equal(3, book.InForce("people-supported", new DateOnly(2027, 4, 1))!.Version);
        Assert.Equal(3, book.InForce("people-supported", new DateOnly(2028, 3, 31))!.Version);
        Assert.Equal(4, book.InForce("people-supported", new DateOnly(2028, 4, 1))!.Version);
        Assert.Equal(4, book.Latest("people-supported")!.Version);
        // Before a measure's first version applies it has no proxy: counted, not valued.
        Assert.Null(book.InForce("volunteers", new DateOnly(2027, 5, 31)));
        Assert.Null(book.InForce("carers-reached", new DateOnly(2027, 5, 31)));
    }
}

/// <summary>The shipped proxies file is checked at start-up like the workflows: each problem named by its JSON path.</summary>
public sealed class ShippedProxiesTests
{
    [Fact]
    public void A_bad_shipped_proxies_file_names_each_problem_by_its_path()
    {
        using var folder = new GrantManager.Tests.Support.TempDirectory();
        Directory.CreateDirectory(folder.File("settings"));
        File.Copy(Path.Combine(GrantManager.Tests.Workflows.WorkflowFolder.FindRepositoryWorkflows(), "settings", ShippedProxies.SchemaFileName), folder.File("settings/" + ShippedProxies.SchemaFileName));
        File.WriteAllText(folder.File("settings/social-value.json"), """
            { "illustrative": true, "measures": {
                "people-supported": { "value": -1, "per": "person" },
                "volunteers": { "value": 12.345, "per": "volunteer" },
                "carers-reached": { "value": 400, "per": "", "deadweightPercent": 120 } } }
            """);
        var e = Assert.Throws<GrantManager.Core.Workflows.WorkflowLoadException>(() => ShippedProxies.Load(folder.Path));
        Assert.Equal(["$.measures.people-supported.value", "$.measures.volunteers.value", "$.measures.carers-reached.per", "$.measures.carers-reached.deadweightPercent"],
            e.Problems.Select(p => p.JsonPath));
        Assert.Contains("pounds and pence", e.Problems.First(p => p.JsonPath == "$.measures.volunteers.value").Message);
        Assert.Contains("from 0 to 100", e.Problems.Last().Message);
    }

    [Fact]
    public void The_repository_s_shipped_proxies_are_illustrative_and_no_licensed_figures()
    {
        var shipped = ShippedProxies.Load(GrantManager.Tests.Workflows.WorkflowFolder.FindRepositoryWorkflows());
        Assert.NotEmpty(shipped.Proxies);
        Assert.All(shipped.Proxies, p => Assert.True(p.Illustrative, p.MeasureCode));
        Assert.All(shipped.Proxies, p => Assert.DoesNotContain("TOMs", p.Source));
        Assert.Contains("ILLUSTRATIVE", shipped.Notice);
    }
}
