using AngleSharp.Html.Dom;

namespace GrantManager.Tests.Support;

/// <summary>Posting a rendered multipart form with a file chosen, as a browser would.</summary>
public static class RenderedFileForms
{
    /// <summary>
    /// Like <see cref="RenderedForms.SubmitFormAsync(HttpClient, string, Dictionary{string, string}?, string?, string?)"/>, with a
    /// file in the file input <paramref name="fileField"/>; fails if the form has no such file input or a named field.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitFormWithFileAsync(this HttpClient client, string pageUrl, string formSelector,
        Dictionary<string, string> changes, string fileField, string fileName, byte[] content, string? button = null)
    {
        var page = await client.GetPageAsync(pageUrl);
        var form = page.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form {formSelector} on {pageUrl}");
        if (form.Enctype != "multipart/form-data") throw new InvalidOperationException($"The form {formSelector} on {pageUrl} cannot carry files");
        if (!form.Elements.OfType<IHtmlInputElement>().Any(i => i.Type == "file" && i.Name == fileField))
            throw new InvalidOperationException($"The form {formSelector} on {pageUrl} has no file input {fileField}");
        var fields = RenderedForms.FieldsOf(form);
        foreach (var (name, value) in changes)
        {
            if (!form.Elements.Any(e => e.GetAttribute("name") == name))
                throw new InvalidOperationException($"The form on {pageUrl} has no field named {name}");
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }
        var action = form.GetAttribute("action") ?? pageUrl;
        if (button is not null)
        {
            var b = form.Elements.OfType<IHtmlButtonElement>().FirstOrDefault(e => e.TextContent.Trim() == button)
                ?? throw new InvalidOperationException($"No button {button} in the form on {pageUrl}");
            if (b.GetAttribute("formaction") is { } fa) action = fa;
        }
        var multipart = new MultipartFormDataContent();
        foreach (var (k, v) in fields) multipart.Add(new StringContent(v), k);
        multipart.Add(new ByteArrayContent(content), fileField, fileName);
        return await client.PostAsync(action.StartsWith('/') ? action : pageUrl, multipart);
    }
}
