namespace GrantManager.Web.Pages.Shared;

/// <summary>A list's pages for the GOV.UK pagination component; <paramref name="Url"/> gives a page's address with the list's filters kept.</summary>
public sealed record PaginationView(int Page, int Pages, Func<int, string> Url)
{
    /// <summary>The first, the last and those beside the current page; null where pages are skipped.</summary>
    public IEnumerable<int?> Items()
    {
        int? previous = null;
        for (var p = 1; p <= Pages; p++)
        {
            if (p != 1 && p != Pages && Math.Abs(p - Page) > 1) continue;
            if (previous is int before && p - before > 1) yield return null;
            yield return p;
            previous = p;
        }
    }
}
