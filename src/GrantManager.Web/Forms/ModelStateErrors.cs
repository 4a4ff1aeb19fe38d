using GrantManager.Core.Applications;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace GrantManager.Web.Forms;

/// <summary>Puts a service's field errors (named as the API names them, e.g. <c>budget[0].amount</c>) on a page's fields.</summary>
public static class ModelStateErrors
{
    /// <param name="field">Maps an API field name to the page's model key; by default <c>projectTitle</c> → <c>Input.ProjectTitle</c>.</param>
    public static void AddServiceErrors(this ModelStateDictionary state, InputException e, Func<string, string>? field = null)
    {
        foreach (var (key, messages) in e.Errors)
            foreach (var message in messages)
                state.AddModelError((field ?? InputField)(key), message);
    }

    /// <summary><c>budget[0].amount</c> → <c>Input.Budget[0].Amount</c>.</summary>
    public static string InputField(string key) => "Input." + Pascal(key);

    public static string Pascal(string key) =>
        string.Join('.', key.Split('.').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
