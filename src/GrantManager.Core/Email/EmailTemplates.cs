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
/// HTML file the HTML body is made from the text, paragraph by paragraph. A version published in the
/// browser (<see cref="EmailTemplateVersion"/>) replaces its file once <see cref="Use"/> has been given it.
/// </summary>
public sealed class EmailTemplates
{
    private static readonly FluidParser Parser = new();
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly string _directory;
    private readonly TemplateOptions _options;
    private readonly ConcurrentDictionary<string, ParsedTemplate> _cache = new();
    private volatile IReadOnlyDictionary<string, EmailTemplateVersion> _published = new Dictionary<string, EmailTemplateVersion>();

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

    /// <summary>The versions published in the browser, newest of each name; templates not in it come from their files.</summary>
    public void Use(IReadOnlyDictionary<string, EmailTemplateVersion> published)
    {
        // The cache is keyed by name and version, so a render racing this swap can never keep an old version.
        _published = published;
    }

    /// <summary>The version in use: 0 for the shipped file, or the number published in the browser.</summary>
    public int VersionOf(string name) => _published.TryGetValue(name, out var v) ? v.Version : 0;

    /// <summary>The template's source as it is in use now.</summary>
    public (string Text, string? Html) Source(string name)
    {
        if (_published.TryGetValue(name, out var v)) return (v.Text, v.Html);
        var htmlPath = Path.Combine(_directory, name + ".html.liquid");
        return (EmailTemplateVersions.Normalise(File.ReadAllText(TextPath(name))),
            File.Exists(htmlPath) ? EmailTemplateVersions.Normalise(File.ReadAllText(htmlPath)) : null);
    }

    /// <summary>Why a Liquid template does not parse, with its line and column; null when it does.</summary>
    public static string? ParseProblem(string source) =>
        Parser.TryParse(source, out _, out var error) ? null : Describe(error);

    /// <summary>Renders a draft that has not been published, for a preview.</summary>
    public RenderedEmail RenderDraft(string text, string? html, object model)
    {
        if (!Parser.TryParse(text, out var t, out var error)) throw new EmailTemplateException(Describe(error));
        IFluidTemplate? h = null;
        if (!string.IsNullOrEmpty(html) && !Parser.TryParse(html, out h, out error)) throw new EmailTemplateException("HTML: " + Describe(error));
        return Render("draft", new ParsedTemplate(t, h), model);
    }

    /// <summary>
    /// Renders a message an officer wrote (a subject and a body in Liquid) as the file templates are
    /// rendered: the same filters, the HTML made from the text. A part that does not parse is named by
    /// its field (<c>subject</c>, <c>body</c>) in the <see cref="InputException"/>.
    /// </summary>
    public RenderedEmail RenderWritten(string subject, string body, IDictionary<string, object?> model)
    {
        var errors = new Dictionary<string, string[]>();
        IFluidTemplate? Parsed(string field, string label, string source)
        {
            if (!Parser.TryParse(source, out var template, out var error))
            {
                errors[field] = [$"{label} is not a template that can be filled in: {Describe(error)}"];
                return null;
            }
            // A value or filter that does not exist would otherwise be filled in as nothing, unseen until it is sent.
            var used = References.Of(template);
            if (used.Values.FirstOrDefault(v => !model.ContainsKey(v)) is { } value)
                errors[field] = [$"{label} uses {{{{ {value} }}}}, which is not a value that can be filled in: use one of those listed under ‘What you can fill in’"];
            else if (used.Filters.FirstOrDefault(f => !_options.Filters.TryGetValue(f, out _)) is { } filter)
                errors[field] = [$"{label} uses the filter ‘{filter}’, which does not exist"];
            return errors.ContainsKey(field) ? null : template;
        }
        var s = Parsed("subject", "The subject", subject);
        var b = Parsed("body", "The message", body);
        if (s is null || b is null) throw new InputException(errors);
        var renderedSubject = s.Render(new TemplateContext(model, _options)).ReplaceLineEndings(" ").Trim();
        var text = b.Render(new TemplateContext(model, _options)).ReplaceLineEndings("\n").Trim('\n');
        return new RenderedEmail(renderedSubject, text + "\n", WrapHtml(renderedSubject, ParagraphsToHtml(text)));
    }

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

    public RenderedEmail Render(string name, object model) => Render(name, Get(name), model);

    private RenderedEmail Render(string name, ParsedTemplate t, object model)
    {
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

    private ParsedTemplate Get(string name)
    {
        var published = _published.GetValueOrDefault(name);
        return _cache.GetOrAdd($"{name}#{published?.Version ?? 0}", _ => published is { } v
            ? new ParsedTemplate(Parse($"{name} version {v.Version}", v.Text), v.Html is null ? null : Parse($"{name} version {v.Version} (HTML)", v.Html))
            : FromFiles(name));
    }

    private ParsedTemplate FromFiles(string n)
    {
        var textPath = TextPath(n);
        if (!File.Exists(textPath)) throw new EmailTemplateException($"{textPath}: no such email template");
        var htmlPath = Path.Combine(_directory, n + ".html.liquid");
        return new ParsedTemplate(Parse(textPath), File.Exists(htmlPath) ? Parse(htmlPath) : null);
    }

    private static IFluidTemplate Parse(string path) => Parse(path, File.ReadAllText(path));

    private static IFluidTemplate Parse(string where, string source)
    {
        if (!Parser.TryParse(source, out var template, out var error))
            throw new EmailTemplateException($"{where}: {Describe(error)}");
        return template;
    }

    /// <summary>Fluid's message says "… at (line:column)" and then quotes the source; say where in words.</summary>
    private static string Describe(string error)
    {
        var m = System.Text.RegularExpressions.Regex.Match(error.Split('\n')[0], @"^(.*?)\s*at \((\d+):(\d+)\)");
        return m.Success ? $"Line {m.Groups[2].Value}, column {m.Groups[3].Value}: {m.Groups[1].Value.TrimEnd('.', ',', ' ')}" : error;
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

/// <summary>
/// What a Liquid template refers to: the values it reads (the first name of each path, in the order they
/// appear) and the filters it applies, leaving out what the template sets itself (assign, capture, for).
/// </summary>
internal sealed class References : Fluid.Ast.AstVisitor
{
    private readonly List<string> _read = [];
    private readonly HashSet<string> _own = new(StringComparer.Ordinal) { "forloop" };

    public List<string> Filters { get; } = [];
    public IEnumerable<string> Values => _read.Where(v => !_own.Contains(v)).Distinct(StringComparer.Ordinal);

    public static References Of(IFluidTemplate template)
    {
        var references = new References();
        if (template is Fluid.Parser.FluidTemplate parsed)
            foreach (var statement in parsed.Statements) references.Visit(statement);
        return references;
    }

    protected override Fluid.Ast.Expression VisitMemberExpression(Fluid.Ast.MemberExpression memberExpression)
    {
        if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is Fluid.Ast.IdentifierSegment first) _read.Add(first.Identifier);
        return base.VisitMemberExpression(memberExpression);
    }

    protected override Fluid.Ast.Expression VisitFilterExpression(Fluid.Ast.FilterExpression filterExpression)
    {
        Filters.Add(filterExpression.Name);
        return base.VisitFilterExpression(filterExpression);
    }

    protected override Fluid.Ast.Statement VisitAssignStatement(Fluid.Ast.AssignStatement assignStatement)
    {
        _own.Add(assignStatement.Identifier);
        return base.VisitAssignStatement(assignStatement);
    }

    protected override Fluid.Ast.Statement VisitCaptureStatement(Fluid.Ast.CaptureStatement captureStatement)
    {
        _own.Add(captureStatement.Identifier);
        return base.VisitCaptureStatement(captureStatement);
    }

    protected override Fluid.Ast.Statement VisitForStatement(Fluid.Ast.ForStatement forStatement)
    {
        _own.Add(forStatement.Identifier);
        return base.VisitForStatement(forStatement);
    }
}
