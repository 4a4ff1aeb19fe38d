using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace GrantManager.Web.TagHelpers;

/// <summary>
/// The GOV.UK error summary for the page's model state: a linked list of problems at the top of
/// the page, focused on load, each link taking you to the field.
/// </summary>
[HtmlTargetElement("govuk-error-summary", TagStructure = TagStructure.WithoutEndTag)]
public sealed class GovukErrorSummaryTagHelper : TagHelper
{
    [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; } = null!;
    /// <summary>
    /// The fields in the order the page asks them, where the model cannot say: a question list or a
    /// dictionary's entries (scores per criterion, targets per measure), or fields named by the query string.
    /// </summary>
    [HtmlAttributeName("order")] public IEnumerable<string>? FieldsInOrder { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        output.TagName = null;
        var state = ViewContext.ModelState;
        if (state.IsValid) { output.SuppressOutput(); return; }
        var enc = HtmlEncoder.Default;
        var items = new System.Text.StringBuilder();
        // GOV.UK lists errors in the order the fields appear: the page's own list where it gives one,
        // then the model's declaration order, which each page model keeps in the order its page asks.
        var model = ViewContext.ViewData.Model?.GetType();
        var links = ViewContext.ViewData["ErrorLinks"] as IReadOnlyDictionary<string, string>;
        var order = FieldsInOrder?.ToList() ?? [];
        string Position(string key)
        {
            var at = order.IndexOf(key);
            return at >= 0 ? $"0{at:D4}" : "1" + FieldOrder(model, key);
        }
        foreach (var (key, entry) in state.OrderBy(e => e.Key.Length == 0 ? "" : Position(e.Key), StringComparer.Ordinal))
        {
            foreach (var error in entry?.Errors ?? [])
            {
                // A page can send an error to another page, where the answer is given (ViewData["ErrorLinks"]: key → address).
                var href = links?.TryGetValue(key, out var link) == true ? link : "#" + (key.Length == 0 ? "main-content" : FieldId(key));
                items.Append(System.Globalization.CultureInfo.InvariantCulture, $"<li><a href=\"{enc.Encode(href)}\">{enc.Encode(error.ErrorMessage)}</a></li>");
            }
        }
        output.Content.SetHtmlContent(
            "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">" +
            "<h2 class=\"govuk-error-summary__title\">There is a problem</h2><div class=\"govuk-error-summary__body\">" +
            $"<ul class=\"govuk-list govuk-error-summary__list\">{items}</ul></div></div></div>");
    }

    private static string FieldOrder(Type? type, string key)
    {
        var order = new System.Text.StringBuilder();
        foreach (var segment in key.Split('.'))
        {
            var properties = type?.GetProperties() ?? [];
            var index = Array.FindIndex(properties, p => p.Name == segment.Split('[')[0]);
            // A date input's fields (StartDay, StartMonth, StartYear) sit where its GovUkDate property does.
            if (index < 0) index = Array.FindIndex(properties, p => p.PropertyType == typeof(Forms.GovUkDate) && segment.StartsWith(p.Name, StringComparison.Ordinal) && segment[p.Name.Length..] is "Day" or "Month" or "Year");
            order.Append((index < 0 ? 999 : index).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            type = index < 0 ? null : properties[index].PropertyType;
        }
        return order.ToString();
    }

    public static string FieldId(string modelKey) => TagBuilder.CreateSanitizedId(modelKey, "_");
}

/// <summary>A GOV.UK form group for one field: label, hint, error message and the input itself.</summary>
[HtmlTargetElement("govuk-input", TagStructure = TagStructure.WithoutEndTag)]
[HtmlTargetElement("govuk-textarea", TagStructure = TagStructure.WithoutEndTag)]
public sealed class GovukFieldTagHelper : TagHelper
{
    [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; } = null!;
    [HtmlAttributeName("for")] public ModelExpression For { get; set; } = null!;
    public string Label { get; set; } = "";
    public string? Hint { get; set; }
    public string Type { get; set; } = "text";
    public string? Autocomplete { get; set; }
    /// <summary>GOV.UK width class suffix, e.g. "10" or "one-half".</summary>
    public string? Width { get; set; }
    public bool LabelIsHeading { get; set; }
    public string? Inputmode { get; set; }
    public string? Prefix { get; set; }
    public int Rows { get; set; } = 5;
    /// <summary>For a textarea: the GOV.UK character count, telling people how much is left as they type.</summary>
    public int? Maxlength { get; set; }
    public bool Spellcheck { get; set; } = true;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var enc = HtmlEncoder.Default;
        var name = For.Name;
        var id = GovukErrorSummaryTagHelper.FieldId(name);
        var entry = ViewContext.ModelState.TryGetValue(name, out var e) ? e : null;
        var error = entry?.Errors.FirstOrDefault()?.ErrorMessage;
        // After a failed post show what was typed, not what the model parsed.
        var value = entry?.AttemptedValue ?? FormatValue(For.Model);
        var describedBy = new List<string>();

        var html = new System.Text.StringBuilder();
        var counted = output.TagName == "govuk-textarea" && Maxlength is int;
        html.Append($"<div class=\"govuk-form-group{(counted ? " govuk-character-count" : "")}{(error is null ? "" : " govuk-form-group--error")}\"" +
            (counted ? $" data-module=\"govuk-character-count\" data-maxlength=\"{Maxlength}\"" : "") + ">");
        var label = $"<label class=\"govuk-label{(LabelIsHeading ? " govuk-label--l" : "")}\" for=\"{id}\">{enc.Encode(Label)}</label>";
        html.Append(LabelIsHeading ? $"<h1 class=\"govuk-label-wrapper\">{label}</h1>" : label);
        if (Hint is not null)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<div id=\"{id}-hint\" class=\"govuk-hint\">{enc.Encode(Hint)}</div>");
            describedBy.Add($"{id}-hint");
        }
        if (error is not null)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<p id=\"{id}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {enc.Encode(error)}</p>");
            describedBy.Add($"{id}-error");
        }
        var aria = describedBy.Count == 0 ? "" : $" aria-describedby=\"{string.Join(' ', describedBy)}\"";
        var auto = Autocomplete is null ? "" : $" autocomplete=\"{enc.Encode(Autocomplete)}\"";
        if (output.TagName == "govuk-textarea")
        {
            if (counted) aria = $" aria-describedby=\"{string.Join(' ', describedBy.Prepend($"{id}-info"))}\"";
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<textarea class=\"govuk-textarea{(counted ? " govuk-js-character-count" : "")}{(error is null ? "" : " govuk-textarea--error")}\" id=\"{id}\" name=\"{enc.Encode(name)}\" rows=\"{Rows}\"{aria}{auto}>{enc.Encode(value ?? "")}</textarea>");
            if (counted) html.Append(Formats.EnGb, $"<div id=\"{id}-info\" class=\"govuk-hint govuk-character-count__message\">You can enter up to {Maxlength:#,0} characters</div>");
        }
        else
        {
            var classes = "govuk-input" + (Width is null ? "" : Width.Contains('-') ? $" govuk-!-width-{Width}" : $" govuk-input--width-{Width}")
                + (error is null ? "" : " govuk-input--error");
            var input = $"<input class=\"{classes}\" id=\"{id}\" name=\"{enc.Encode(name)}\" type=\"{enc.Encode(Type)}\"" +
                (Type == "password" ? "" : $" value=\"{enc.Encode(value ?? "")}\"") +
                (Inputmode is null ? "" : $" inputmode=\"{Inputmode}\"") +
                (Spellcheck ? "" : " spellcheck=\"false\"") + $"{aria}{auto}>";
            html.Append(Prefix is null ? input
                : $"<div class=\"govuk-input__wrapper\"><div class=\"govuk-input__prefix\" aria-hidden=\"true\">{enc.Encode(Prefix)}</div>{input}</div>");
        }
        html.Append("</div>");
        output.TagName = null;
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Content.SetHtmlContent(html.ToString());
    }

    private static string? FormatValue(object? model) => model switch
    {
        null => null,
        // Amounts read as people write them: 4,500 or 4,500.50.
        decimal d => d.ToString(d == decimal.Truncate(d) ? "#,0" : "#,0.00", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => model.ToString(),
    };
}
