using GrantManager.Core.Data;
using GrantManager.Web.Hosting;
using Microsoft.AspNetCore.Identity;

namespace GrantManager.Web.Api;

internal static class ApiEndpoints
{
    public static void MapGrantManagerApi(this WebApplication app)
    {
        // Applicants register on the site, where they name their organisation.
        app.MapPost("/api/identity/register", () => Results.Problem(
                "Register at /Account/Register, where you also give your organisation's details.",
                statusCode: StatusCodes.Status404NotFound, title: "Registration is not offered through the API"))
            .ExcludeFromDescription()
            .WithOrder(-1);
        app.MapGroup("/api/identity").AddEndpointFilter(IdentityRequests.RequireFieldsAsync).AddEndpointFilter(Account.IdentityApiChecks.CheckAsync).MapIdentityApi<User>();

        OpenDataApi.Map(app);

        var api = app.MapGroup("/api").RequireAuthorization(GrantManagerServices.ApiPolicy);
        FundsApi.Map(api);
        WorkflowsApi.Map(api);
        ApplicationsApi.Map(api);
        GrantsApi.Map(api);
        PanelMeetingsApi.Map(api);
        SocialValueApi.Map(api);
        WebhooksApi.Map(api);
        AccountApi.Map(api);
    }
}

/// <summary>
/// The identity endpoints' bodies (login, refresh, reset…) declare their fields required but do not
/// check them: <c>{"email":null,"password":null}</c> would reach Identity and fail there. Missing
/// fields are a 400 naming each one.
/// </summary>
internal static class IdentityRequests
{
    // NullabilityInfoContext is not safe to share between threads: work out each body type's required fields once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.PropertyInfo[]> Required = new();

    private static System.Reflection.PropertyInfo[] RequiredOf(Type type) => Required.GetOrAdd(type, t =>
    {
        var nullability = new System.Reflection.NullabilityInfoContext();
        return t.GetProperties().Where(p => p.PropertyType == typeof(string) && nullability.Create(p).ReadState == System.Reflection.NullabilityState.NotNull).ToArray();
    });

    public static async ValueTask<object?> RequireFieldsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var argument in context.Arguments)
        {
            if (argument is null || argument.GetType().Namespace != "Microsoft.AspNetCore.Identity.Data") continue;
            foreach (var property in RequiredOf(argument.GetType()))
                if (string.IsNullOrEmpty((string?)property.GetValue(argument)))
                    errors[System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = [$"Enter the {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name)}"];
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(context);
    }
}
