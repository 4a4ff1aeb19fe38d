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

/// <summary>A list page's <c>?pageNumber=</c>, read so that a number that cannot be a page is said to be one, never quietly replaced.</summary>
public static class PageNumber
{
    public const string Field = "pageNumber";

    /// <summary>The page asked for (1 when none is), or 1 and why what was given cannot be a page.</summary>
    public static (int Page, string? Error) Read(Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        var raw = query[Field].ToString();
        if (raw.Length == 0) return (1, null);
        return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var page) && page >= 1
            ? (page, null)
            : (1, $"‘{(raw.Length > 20 ? raw[..20] + "…" : raw)}’ is not a page number: showing page 1");
    }

    /// <summary>Loads the page asked for; one that cannot be a page is named on the page's error summary, and past the end the last page is loaded.</summary>
    public static async Task<T> LoadAsync<T>(Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state, Microsoft.AspNetCore.Http.IQueryCollection query,
        Func<int, Task<T>> load, Func<T, int> pages)
    {
        var (page, error) = Read(query);
        if (error is not null) state.AddModelError("", error);
        var result = await load(page);
        if (page <= pages(result)) return result;
        state.AddModelError("", PastTheEnd(page, pages(result)));
        return await load(pages(result));
    }

    /// <summary>Why a page past the end of the list is not shown, and what is shown instead.</summary>
    public static string PastTheEnd(int page, int pages) =>
        $"There is no page {page}: there {(pages == 1 ? "is only 1 page" : $"are {Formats.Count(pages, "page")}")}, so the last is shown";
}
