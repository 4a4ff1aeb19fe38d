using GrantManager.Core.Applications;
using GrantManager.Core.SocialValue;
using GrantManager.Web.Forms;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.SocialValue;

/// <summary>One measure's proxy: a form for a new version, and every version recorded so far.</summary>
public sealed class ProxyModel(SocialValueProxies proxies, ShippedProxies shipped, WorkflowActors actors, TimeProvider time) : PageModel
{
    public sealed class ProxyForm
    {
        public string? PoundsPerUnit { get; set; }
        public string? Unit { get; set; }
        public string? Source { get; set; }
        public string? Licence { get; set; }
        public string? PriceYear { get; set; }
        public string? DeadweightPercent { get; set; }
        public string? AttributionPercent { get; set; }
        [Forms.DateInput("the date it applies from", Example = "1 4 2026")] public Forms.GovUkDate AppliesFrom { get; set; } = Forms.GovUkDate.Empty;
        public string? Reason { get; set; }
    }

    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    [BindProperty(Name = "Input")] public ProxyForm Input { get; set; } = new();
    public string Name { get; private set; } = "";
    public List<ProxyVersion> Versions { get; private set; } = [];
    public ProxyVersion? InForce { get; private set; }
    public string? ShippedNotice => shipped.Notice;
    public string AppliesFromHint =>
        $"The first day this version values, for example 1 4 {Today.Year}. Leave it empty for today: earlier days keep the value they had."
        + (InForce is { } f ? $" To correct the version in force instead, give its date, {f.AppliesFrom.Day} {f.AppliesFrom.Month} {f.AppliesFrom.Year}." : "");
    public DateOnly Today => Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        // The figures start from the version in force today; the date starts empty (today), so changing a figure
        // values from now on and never silently revalues the past.
        if ((InForce ?? Versions.FirstOrDefault()) is { } p)
            Input = new ProxyForm
            {
                PoundsPerUnit = p.PoundsPerUnit.ToString("0.##", Formats.EnGb), Unit = p.Unit, Source = p.Source, Licence = p.Licence,
                PriceYear = p.PriceYear.ToString(System.Globalization.CultureInfo.InvariantCulture), DeadweightPercent = p.DeadweightPercent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), AttributionPercent = p.AttributionPercent.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
            };
        else Input = new ProxyForm { DeadweightPercent = "0", AttributionPercent = "100" };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return NotFound();
        ModelState.Clear();
        var day = Input.AppliesFrom;
        day.Report(ModelState, "Input.AppliesFrom");
        // A date that is not real reaches the check as text it refuses, so every problem is listed together
        // (the date's own problem is the binder's, in the words of the other date fields).
        var appliesFrom = !day.Given ? null : day.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "not a date";
        try
        {
            var saved = await proxies.RecordAsync(new ProxyInput(Code, Input.PoundsPerUnit?.Replace(",", ""), Input.Unit, Input.Source, Input.Licence, Input.PriceYear,
                Input.DeadweightPercent, Input.AttributionPercent, appliesFrom, Input.Reason), await actors.ForAsync(User));
            TempData["Success"] = $"Version {saved.Version} of the proxy for {Name} has been recorded";
            return RedirectToPage(new { code = Code });
        }
        catch (InputException e)
        {
            if (day.Problem is not null) e = new InputException(e.Errors.Where(f => f.Key != "appliesFrom").ToDictionary());
            ModelState.AddServiceErrors(e, key => key switch
            {
                "appliesFrom" => "Input.AppliesFromDay",
                "measureCode" => "Code",
                _ => ModelStateErrors.InputField(key),
            });
            return Page();
        }
    }

    private async Task<bool> LoadAsync()
    {
        var measure = (await proxies.MeasuresAsync()).FirstOrDefault(m => m.Code == Code);
        if (measure.Code is null) return false;
        Name = measure.Name;
        var book = await proxies.BookAsync();
        Versions = book.History(measure.Code).ToList();
        InForce = book.InForce(measure.Code, Today);
        return true;
    }
}
