using System.Diagnostics;
using System.Text.Json;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Integrating;

/// <summary>The served OpenAPI document passes Redocly's recommended rules (redocly.yaml) and says what a client needs.</summary>
public sealed class OpenApiDocumentTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Fact]
    public async Task The_document_passes_the_Redocly_lint_with_no_errors()
    {
        var web = Path.Combine(RepositoryRoot(), "src", "GrantManager.Web");
        var file = Path.Combine(app.DataDirectory, "openapi.json");
        await File.WriteAllTextAsync(file, await app.CreateClient().GetStringAsync("/openapi/v1.json"));

        // The CLI comes from the Web project's npm packages (installed by its build); nothing else is fetched.
        var start = new ProcessStartInfo("npx", ["--no-install", "redocly", "lint", file, "--format=summary"])
        {
            WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var lint = Process.Start(start)!;
        var output = lint.StandardOutput.ReadToEndAsync();
        var errors = lint.StandardError.ReadToEndAsync();
        await lint.WaitForExitAsync();
        var all = await output + await errors;
        Assert.True(lint.ExitCode == 0, all);
        Assert.DoesNotContain("error ", all);
        Assert.Contains("valid", all);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrantManager.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GrantManager.sln not found above the test binaries");
    }

    [Fact]
    public async Task Operations_that_need_a_sign_in_ask_for_the_bearer_token_and_public_ones_do_not()
    {
        using var doc = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var root = doc.RootElement;
        Assert.Equal("http", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
        var paths = root.GetProperty("paths");
        static string[] Schemes(JsonElement op) => op.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray();
        Assert.Equal(["bearer"], Schemes(paths.GetProperty("/api/applications").GetProperty("post")));
        Assert.Empty(Schemes(paths.GetProperty("/api/identity/login").GetProperty("post")));
        Assert.Empty(Schemes(paths.GetProperty("/open-data/360giving.json").GetProperty("get")));
        // Every operation is named, summarised, and (but the open data files) documents its 4xx answers as problem details.
        foreach (var path in paths.EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        {
            Assert.False(string.IsNullOrEmpty(op.Value.GetProperty("operationId").GetString()), $"{op.Name} {path.Name}");
            Assert.False(string.IsNullOrEmpty(op.Value.GetProperty("summary").GetString()), $"{op.Name} {path.Name}");
            if (path.Name.StartsWith("/open-data", StringComparison.Ordinal)) continue;
            var fourxx = op.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4')).ToList();
            Assert.True(fourxx.Count > 0, $"{op.Name} {path.Name} has no 4xx");
            Assert.All(fourxx, r => Assert.Equal("#/components/schemas/ProblemDetails",
                r.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString()));
        }
        // The register endpoint of the framework is answered by GrantManager's pointer to the site, so it is not described.
        Assert.False(paths.TryGetProperty("/api/identity/register", out _));
        var server = root.GetProperty("servers")[0].GetProperty("url").GetString()!;
        Assert.False(server.EndsWith('/'), server);
        Assert.Equal("MIT", root.GetProperty("info").GetProperty("license").GetProperty("identifier").GetString());
    }
}
