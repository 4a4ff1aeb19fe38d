using GrantManager.Core.Inbox;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.WebUtilities;

namespace GrantManager.Web.Api;

/// <summary>
/// Paged lists in the API stay JSON arrays; the total is in <c>X-Total-Count</c> and the other pages
/// are in an RFC 8288 <c>Link</c> header (<c>rel="next"</c> while there is more).
/// </summary>
internal static class Paging
{
    public static (int Page, int PageSize) Check(string? page, string? pageSize)
    {
        var p = 1;
        var size = WorkList.DefaultPageSize;
        if (!string.IsNullOrEmpty(page) && (!int.TryParse(page, out p) || p < 1))
            throw new WorkflowInvalidException("The page must be a whole number from 1", "page");
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, out size) || size < 1 || size > WorkList.MaxPageSize))
            throw new WorkflowInvalidException($"The page size must be a whole number from 1 to {WorkList.MaxPageSize}", "pageSize");
        return (p, size);
    }

    public static void AddHeaders(HttpContext http, int total, int page, int pageSize)
    {
        http.Response.Headers["X-Total-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var last = Math.Max(1, (total + pageSize - 1) / pageSize);
        var links = new List<string>();
        string Url(int p)
        {
            var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value)
                .Where(q => !q.Key.Equals("page", StringComparison.OrdinalIgnoreCase))
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new("page", p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return QueryHelpers.AddQueryString($"{http.Request.PathBase}{http.Request.Path}", query);
        }
        if (page < last) links.Add($"<{Url(page + 1)}>; rel=\"next\"");
        if (page > 1) links.Add($"<{Url(page - 1)}>; rel=\"prev\"");
        links.Add($"<{Url(1)}>; rel=\"first\"");
        links.Add($"<{Url(last)}>; rel=\"last\"");
        http.Response.Headers.Link = string.Join(", ", links);
    }
}
