using System.ComponentModel.DataAnnotations;
using System.Reflection;
using GrantManager.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace GrantManager.Web.Forms;

/// <summary>
/// Binds an amount of money typed into a form ("£4,500.50", "4500.5") to a <c>decimal?</c>. What
/// cannot be read becomes a field error naming the field (its <see cref="DisplayAttribute"/> name),
/// and the text typed stays in the field for the person to correct.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PoundsAttribute : ModelBinderAttribute
{
    public PoundsAttribute() : base(typeof(PoundsBinder)) { }
}

public sealed class PoundsBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var name = bindingContext.ModelName;
        var value = bindingContext.ValueProvider.GetValue(name);
        // Nothing posted under this name: not bound, so that a list of rows ends where the rows end.
        if (value == ValueProviderResult.None) return Task.CompletedTask;
        bindingContext.ModelState.SetModelValue(name, value);
        var result = Money.TryParse(value.FirstValue, out var pounds);
        if (result == Money.ParseResult.Ok) bindingContext.Result = ModelBindingResult.Success(pounds);
        else
        {
            if (result != Money.ParseResult.Empty)
                bindingContext.ModelState.TryAddModelError(name, Money.Problem(result, Label(bindingContext)));
            bindingContext.Result = ModelBindingResult.Success(null);
        }
        return Task.CompletedTask;
    }

    private static string Label(ModelBindingContext context) =>
        context.ModelMetadata.DisplayName ?? context.ModelMetadata.Name ?? "The amount";
}
