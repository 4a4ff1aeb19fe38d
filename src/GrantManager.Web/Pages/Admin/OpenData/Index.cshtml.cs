using GrantManager.Core.OpenData;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Admin.OpenData;

/// <summary>What the open data will say, checked as the 360Giving Data Quality Tool would, grant by grant.</summary>
public sealed class IndexModel(ThreeSixtyGiving data, TimeProvider time) : PageModel
{
    public int Published { get; private set; }
    public List<QualityProblem> Problems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = Core.Configuration.UkTime.DayOf(time.GetUtcNow().UtcDateTime);
        await foreach (var grant in data.GrantsAsync(ct))
        {
            Published++;
            Problems.AddRange(DataQuality.Check(grant, today));
        }
    }
}
