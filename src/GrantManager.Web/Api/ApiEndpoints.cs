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
        app.MapGroup("/api/identity").MapIdentityApi<User>();

        var api = app.MapGroup("/api").RequireAuthorization(GrantManagerServices.ApiPolicy);
        FundsApi.Map(api);
        WorkflowsApi.Map(api);
        ApplicationsApi.Map(api);
        GrantsApi.Map(api);
    }
}
