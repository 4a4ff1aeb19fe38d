using System.Text;
using GrantManager.Core.SocialValue;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.SocialValue;

/// <summary>The council's social value proxies: each measure's proxy in force, and a CSV import of new versions.</summary>
public sealed class IndexModel(SocialValueProxies proxies, ShippedProxies shipped, WorkflowActors actors, TimeProvider time) : PageModel
{
    public List<(string Code, string Name, ProxyVersion? InForce, ProxyVersion? Latest)> Measures { get; private set; } = [];
    public string? ShippedNotice => shipped.Notice;
    public List<ImportProblem> Problems { get; private set; } = [];
    [BindProperty] public IFormFile? Upload { get; set; }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnGetTemplateAsync()
    {
        var book = await proxies.BookAsync();
        var codes = (await proxies.MeasuresAsync()).Select(m => m.Code);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SocialValueProxies.TemplateCsv(book, codes))).ToArray();
        return File(bytes, "text/csv; charset=utf-8", "social-value-proxies.csv");
    }

    public async Task<IActionResult> OnPostImportAsync()
    {
        ModelState.Clear();
        if (Upload is null || Upload.Length == 0)
            Problems = [new ImportProblem(0, "", "Select a CSV file of proxies")];
        else if (!Upload.FileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            Problems = [new ImportProblem(0, "", "The selected file must be a CSV file")];
        else
        {
            await using var stream = Upload.OpenReadStream();
            ImportResult result;
            try { result = await proxies.ImportAsync(stream, await actors.ForAsync(User)); }
            catch (Core.InputException e) { result = new(0, 0, e.Errors.SelectMany(x => x.Value).Select(m => new ImportProblem(0, "", m)).ToList()); }
            if (result.Stored)
            {
                TempData["Success"] = $"{Plural(result.Added, "new version")} recorded"
                    + (result.Unchanged > 0 ? $"; {Plural(result.Unchanged, "row")} the same as now left alone" : "");
                return RedirectToPage();
            }
            Problems = result.Problems.ToList();
        }
        // The summary links to the file input: each problem's row and column say where in the file.
        foreach (var p in Problems) ModelState.AddModelError(nameof(Upload), p.ToString());
        await LoadAsync();
        return Page();
    }

    private static string Plural(int n, string what) => Formats.Count(n, what);

    private async Task LoadAsync()
    {
        var book = await proxies.BookAsync();
        var today = Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        var measures = await proxies.MeasuresAsync();
        Measures = measures.Select(m => (m.Code, m.Name, book.InForce(m.Code, today), book.Latest(m.Code))).ToList();
    }
}
