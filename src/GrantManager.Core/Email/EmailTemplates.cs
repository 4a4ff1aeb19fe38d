using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;

namespace GrantManager.Core.Email;

/// <summary>
/// Liquid email templates from <c>workflows/templates</c>. A template is <c>NAME.txt.liquid</c>,
/// whose first line is <c>Subject: …</c>, and optionally <c>NAME.html.liquid</c>; without the
/// HTML file the HTML body is made from the text, paragraph by paragraph.
/// </summary>
public sealed class EmailTemplates
{
    private static readonly FluidParser Parser = new();
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly string _directory;
    private readonly TemplateOptions _options;
    private readonly ConcurrentDictionary<string, ParsedTemplate> _cache = new();

    public EmailTemplates(string directory)
    {
        _directory = directory;
        _options = new TemplateOptions
        {
            MemberAccessStrategy = UnsafeMemberAccessStrategy.Instance,
            CultureInfo = CultureInfo.GetCultureInfo("en-GB"),
            TimeZone = Configuration.UkTime.London,
        };
        _options.Filters.AddFilter("money", (input, _, _) =>
            new StringValue(Money.Format(input.ToNumberValue())));
        // "an assessor", "a grant officer": {{ role | downcase | article }}.
        _options.Filters.AddFilter("article", (input, _, _) =>
            new StringValue(Data.Roles.WithArticle(input.ToStringValue())));
    }

    public string Directory => _directory;

    public bool Exists(string name) => File.Exists(TextPath(name));

    public IEnumerable<string> Names() =>
        System.IO.Directory.Exists(_directory)
            ? System.IO.Directory.GetFiles(_directory, "*.txt.liquid").Select(f => Path.GetFileName(f)[..^".txt.liquid".Length]).Order()
            : [];

    /// <summary>Parses every template, returning one message per template that does not parse.</summary>
    public IReadOnlyList<string> Check()
    {
        var problems = new List<string>();
        foreach (var name in Names())
        {
            try { Get(name); }
            catch (EmailTemplateException e) { problems.Add(e.Message); }
        }
        return problems;
    }

    public RenderedEmail Render(string name, object model)
    {
        var t = Get(name);
        var text = t.Text.Render(new TemplateContext(model, _options)).Replace("\r\n", "\n");
        var newline = text.IndexOf('\n');
        var firstLine = newline < 0 ? text : text[..newline];
        if (!firstLine.StartsWith("Subject:", StringComparison.Ordinal))
            throw new EmailTemplateException($"{TextPath(name)}: the first line must be 'Subject: …'");
        var subject = firstLine["Subject:".Length..].Trim();
        var body = newline < 0 ? "" : text[(newline + 1)..].Trim('\n');
        var html = t.Html is null
            ? ParagraphsToHtml(body)
            : t.Html.Render(new TemplateContext(model, _options), Html);
        return new RenderedEmail(subject, body + "\n", WrapHtml(subject, html));
    }

    /// <summary>
    /// Renders a message an officer wrote (a subject and a body in Liquid) as the file templates are
    /// rendered: the same filters, the HTML made from the text. A part that does not parse is named by
    /// its field (<c>subject</c>, <c>body</c>) in the <see cref="InputException"/>.
    /// </summary>
    public RenderedEmail RenderWritten(string subject, string body, object model)
    {
        var errors = new Dictionary<string, string[]>();
        IFluidTemplate? Parsed(string field, string label, string source)
        {
            if (Parser.TryParse(source, out var template, out var error)) return template;
            errors[field] = [$"{label} is not a template that can be filled in: {error}"];
            return null;
        }
        var s = Parsed("subject", "The subject", subject);
        var b = Parsed("body", "The message", body);
        if (s is null || b is null) throw new InputException(errors);
        var renderedSubject = s.Render(new TemplateContext(model, _options)).ReplaceLineEndings(" ").Trim();
        var text = b.Render(new TemplateContext(model, _options)).ReplaceLineEndings("\n").Trim('\n');
        return new RenderedEmail(renderedSubject, text + "\n", WrapHtml(renderedSubject, ParagraphsToHtml(text)));
    }

    private ParsedTemplate Get(string name) => _cache.GetOrAdd(name, n =>
    {
        var textPath = TextPath(n);
        if (!File.Exists(textPath)) throw new EmailTemplateException($"{textPath}: no such email template");
        var htmlPath = Path.Combine(_directory, n + ".html.liquid");
        return new ParsedTemplate(Parse(textPath), File.Exists(htmlPath) ? Parse(htmlPath) : null);
    });

    private static IFluidTemplate Parse(string path)
    {
        if (!Parser.TryParse(File.ReadAllText(path), out var template, out var error))
            throw new EmailTemplateException($"{path}: {error}");
        return template;
    }

    private string TextPath(string name) => Path.Combine(_directory, name + ".txt.liquid");

    private static string ParagraphsToHtml(string text)
    {
        var sb = new StringBuilder();
        foreach (var para in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var encoded = string.Join("<br>", para.Split('\n').Select(line => Linkify(WebUtility.HtmlEncode(line.Trim()))));
            sb.Append("<p style=\"font-family: Arial, sans-serif; font-size: 16px;\">").Append(encoded).Append("</p>\n");
        }
        return sb.ToString();
    }

    private static string Linkify(string encodedLine) =>
        System.Text.RegularExpressions.Regex.Replace(encodedLine, @"https?://[^\s<]+", m => $"<a href=\"{m.Value}\">{m.Value}</a>");

    private static string WrapHtml(string subject, string body) =>
        $"<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(subject)}</title></head>\n<body>\n{body}</body></html>\n";

    private sealed record ParsedTemplate(IFluidTemplate Text, IFluidTemplate? Html);
}

public sealed record RenderedEmail(string Subject, string Text, string Html);

public sealed class EmailTemplateException(string message) : Exception(message);
