using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace GrantManager.Web.TagHelpers;

/// <summary>
/// Puts every GOV.UK table in a region of its own that scrolls sideways when the table is wider
/// than the screen, so a phone never scrolls the whole page. The region is named by the table's
/// caption and can be reached with the keyboard to scroll it.
/// </summary>
[HtmlTargetElement("table", Attributes = "class")]
public sealed partial class TableScrollTagHelper : TagHelper
{
    [GeneratedRegex(@"<caption[^>]*>(.*?)</caption>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Caption();
    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var css = output.Attributes["class"]?.Value?.ToString() ?? "";
        if (!css.Split(' ').Contains("govuk-table")) return;
        var content = await output.GetChildContentAsync();
        var match = Caption().Match(content.GetContent());
        var label = match.Success ? WebUtility.HtmlDecode(Tags().Replace(match.Groups[1].Value, "")).Trim() : "";
        if (label.Length == 0) label = "Table";
        output.PreElement.SetHtmlContent($"<div class=\"app-table-scroll\" role=\"region\" aria-label=\"{WebUtility.HtmlEncode(label)}\" tabindex=\"0\">");
        output.PostElement.SetHtmlContent("</div>");
    }
}
