using System.Text.Json.Nodes;
using GrantManager.Core.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GrantManager.Web.Api;

/// <summary>
/// Completes the OpenAPI document (<c>/openapi/v1.json</c>, also written at build time to
/// <c>obj/openapi/grantmanager.json</c>) so that a client generated from it works unedited: the bearer
/// scheme on every operation that needs it, an operationId and summary on each, every 4xx it can give
/// as problem details, tags, examples, the licence and contact, and one server address without a trailing slash.
/// </summary>
internal static class OpenApiDocumentation
{
    public const string Bearer = "bearer";
    public const string Problem = "ProblemDetails";

    /// <summary>The identity endpoints come from the framework without names or summaries.</summary>
    private static readonly Dictionary<string, (string Id, string Summary)> Identity = new()
    {
        ["POST api/identity/login"] = ("Login", "Sign in with {email, password}; with ?useCookies=false the answer is a bearer token to send as Authorization: Bearer"),
        ["POST api/identity/refresh"] = ("RefreshToken", "Exchange a refresh token for a new bearer token"),
        ["GET api/identity/confirmEmail"] = ("ConfirmEmail", "Confirm an email address from the link in the confirmation email"),
        ["POST api/identity/resendConfirmationEmail"] = ("ResendConfirmationEmail", "Send the confirmation email again"),
        ["POST api/identity/forgotPassword"] = ("ForgotPassword", "Email a password reset code"),
        ["POST api/identity/resetPassword"] = ("ResetPassword", "Choose a new password with the emailed reset code"),
        ["POST api/identity/manage/2fa"] = ("ManageTwoFactor", "Turn two-factor sign-in on or off, or see its state"),
        ["GET api/identity/manage/info"] = ("GetAccount", "The signed-in account's email address and whether it is confirmed"),
        ["POST api/identity/manage/info"] = ("UpdateAccount", "Change the signed-in account's email address (the password is changed with ChangePassword)"),
    };

    /// <summary>Identity requests limited per address and per account (Security:*): beyond the limit, 429 with Retry-After.</summary>
    private static readonly HashSet<string> Limited = ["Login", "ResendConfirmationEmail", "ForgotPassword", "ResetPassword", "ChangePassword"];

    private static readonly (string Prefix, string Tag, string Description)[] Tags =
    [
        ("/api/identity", "Identity", "Signing in for a bearer token, and the account itself. Applicants register at /Account/Register; staff are added by an administrator."),
        ("/api/account", "Account", "The signed-in account: changing its password ends every other sign-in of it."),
        ("/api/funds/{id}/social-value", "Social value", "A fund's social value, committed against achieved."),
        ("/api/funds", "Funds", "Funds open for applications."),
        ("/api/applications", "Applications", "Drafts, submission, withdrawal and the applications register."),
        ("/api/tasks", "Tasks", "The workflow inbox: taking, assigning and completing tasks."),
        ("/api/grants", "Grants", "Awarded grants with their payments and progress reports."),
        ("/api/panel-meetings", "Panel meetings", "Meetings of the grants panel: the pack, members' views and the chair's decisions."),
        ("/api/returns", "Returns", "Progress reports (monitoring returns) on a grant."),
        ("/api/workflow", "Workflows", "Workflow definitions, instances and incidents, for staff."),
        ("/api/webhooks", "Webhooks", "Endpoints that receive signed events (Standard Webhooks), for administrators."),
        ("/open-data", "Open data", "Awarded grants as 360Giving open data, for anyone."),
    ];

    public static void Configure(OpenApiOptions o)
    {
        o.AddDocumentTransformer(DescribeDocumentAsync);
        o.AddOperationTransformer(DescribeOperationAsync);
        o.AddSchemaTransformer(NumbersAsNumbers);
        o.AddSchemaTransformer(DecisionConditions);
    }

    private static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var services = context.ApplicationServices;
        var council = services.GetRequiredService<IOptions<CouncilOptions>>().Value;
        document.Info = new OpenApiInfo
        {
            Title = "GrantManager API",
            Version = "1",
            Description = "Grant applications, assessment, awards, payments and monitoring for " + council.Name + ". "
                + "Sign in with POST /api/identity/login?useCookies=false and send the token as Authorization: Bearer. "
                + "Errors are problem details (RFC 9457); a 400 names each field in `errors`.",
            Contact = new OpenApiContact { Name = council.Name + " grants team", Email = council.ContactEmail },
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };
        document.Servers = [new OpenApiServer { Url = ServerAddress(services), Description = "This service" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer",
            Description = "The accessToken from POST /api/identity/login?useCookies=false (it lasts an hour; renew it with POST /api/identity/refresh).",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = ProblemSchema();
        // The framework's register endpoint is answered by GrantManager's own 404 (register on the site instead).
        document.Paths.Remove("/api/identity/register");
        foreach (var unused in new[] { "RegisterRequest", "HttpValidationProblemDetails" }) document.Components.Schemas.Remove(unused);
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Tag, Description = t.Description }));
        return Task.CompletedTask;
    }

    /// <summary>Email:PublicBaseUrl when set, else the address the document was asked for at, else the run command's; never a trailing slash.</summary>
    private static string ServerAddress(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<EmailOptions>>().Value.PublicBaseUrl;
        if (!string.IsNullOrWhiteSpace(configured)) return configured.TrimEnd('/');
        if (services.GetService<IHttpContextAccessor>()?.HttpContext?.Request is { } request)
            return $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/');
        return "http://localhost:5000";
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Problem details (RFC 9457). A 400 lists what needs correcting in `errors`, by field.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "For a 400: each field that needs correcting (camelCase, as sent), with what is wrong",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    private static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var description = context.Description;
        var method = description.HttpMethod ?? "GET";
        var path = "/" + (description.RelativePath ?? "").Split('?')[0];
        var key = $"{method} {path.TrimStart('/')}";
        if (Identity.TryGetValue(key, out var named))
        {
            operation.OperationId = named.Id;
            operation.Summary = named.Summary;
        }
        var document = context.Document!;
        if (Tags.FirstOrDefault(t => path.StartsWith(t.Prefix, StringComparison.Ordinal)) is { Tag: { } tag })
            operation.Tags = new HashSet<OpenApiTagReference> { new(tag, document) };

        var metadata = description.ActionDescriptor.EndpointMetadata;
        var signedIn = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        // Public operations say so with an empty requirement; the others need the bearer token.
        operation.Security = signedIn
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }]
            : [new OpenApiSecurityRequirement()];

        operation.Responses ??= new OpenApiResponses();
        var hasInput = operation.RequestBody is not null || operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true;
        var changes = !HttpMethods.IsGet(method);
        if (hasInput || (changes && !HttpMethods.IsDelete(method) && path.StartsWith("/api/", StringComparison.Ordinal)))
            AddProblem(operation, document, "400", "Some input needs correcting: `errors` names each field");
        if (signedIn)
        {
            AddProblem(operation, document, "401", "No bearer token, or it has expired or been revoked");
            AddProblem(operation, document, "403", "The caller's role or organisation may not do this");
        }
        if (operation.OperationId == "Login") AddProblem(operation, document, "401", "Wrong email address or password, or the address is not confirmed");
        if (path.Contains('{')) AddProblem(operation, document, "404", "No such record, or it belongs to another organisation");
        if (changes && (path.Contains("/{id}") || path.StartsWith("/api/tasks", StringComparison.Ordinal)) && !path.StartsWith("/api/webhooks", StringComparison.Ordinal))
            AddProblem(operation, document, "409", "Someone else changed it first, or the case has moved on: read it again and retry");
        if (operation.OperationId is { } id && Limited.Contains(id))
            AddProblem(operation, document, "429", "Too many requests from this address or for this account: try again after Retry-After seconds");
        // The framework's own 4xx (identity's 400 and 404) are the same problem details.
        foreach (var (status, response) in operation.Responses.Where(r => r.Key.StartsWith('4')).ToList())
            AddProblem(operation, document, status, response.Description ?? "The request was refused");
        OpenApiExamples.Add(operation, key);
        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument document, string status, string text)
    {
        // The framework's own 400 (from a validation result) is replaced: every error is one problem details schema.
        operation.Responses![status] = new OpenApiResponse
        {
            Description = text,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(Problem, document) },
            },
        };
    }

    /// <summary>
    /// A decision's conditions are read from raw JSON (a list, or plain words as one condition for the life of
    /// the grant); the document gives the list, so a generated client has typed conditions.
    /// </summary>
    private static Task DecisionConditions(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonTypeInfo.Type != typeof(ApplicationsApi.CompleteRequest) || schema.Properties is null) return Task.CompletedTask;
        schema.Properties["conditions"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array | JsonSchemaType.Null,
            Description = "The offer's conditions (approve only). Plain words instead of a list are taken as one condition for the life of the grant.",
            Items = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "text", "kind" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["text"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The condition as the offer letter words it" },
                    ["kind"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String, Description = "When it must be met",
                        Enum = [JsonValue.Create("before-first-payment"), JsonValue.Create("before-payment"), JsonValue.Create("ongoing")],
                    },
                    ["payment"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32", Description = "The payment it holds (before-payment only), from 1" },
                },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>
    /// Numbers are also read from strings ("5"), which the framework describes as integer-or-string; the
    /// document gives the number alone, so generated clients have plain numeric properties.
    /// </summary>
    private static Task NumbersAsNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }
}

/// <summary>Request and response examples for the main journeys: sign in, apply, submit, decide, register a webhook.</summary>
internal static class OpenApiExamples
{
    private static readonly Dictionary<string, (JsonNode? Request, string? Status, JsonNode? Response)> Examples = new()
    {
        ["POST api/identity/login"] = (new JsonObject { ["email"] = "applicant@example.org", ["password"] = "a-long-passphrase" }, null, null),
        ["POST api/applications"] = (new JsonObject
        {
            ["fundId"] = 1, ["projectTitle"] = "Walk and talk", ["projectSummary"] = "Weekly guided walks with peer support",
            ["innovation"] = "Peer walk leaders trained by people with lived experience", ["beneficiaries"] = "Adults in Shepway feeling isolated",
            ["districts"] = new JsonArray("Folkestone and Hythe"), ["startDate"] = "2027-04-01", ["endDate"] = "2028-03-31", ["amountRequested"] = 4800,
            ["budget"] = new JsonArray(new JsonObject { ["item"] = "Walk leader sessions", ["amount"] = 3600 }, new JsonObject { ["item"] = "Training", ["amount"] = 1200 }),
            ["outcomes"] = new JsonArray(new JsonObject { ["measure"] = "wellbeing-improved", ["target"] = 40 }),
        }, "201", new JsonObject { ["id"] = 12, ["reference"] = "LWK-2027-0012", ["status"] = "draft" }),
        ["POST api/applications/{id}/submit"] = (new JsonObject { ["declaration"] = true }, null, null),
        ["POST api/tasks/{id}/complete"] = (new JsonObject
        {
            ["outcome"] = "approve", ["comment"] = "Strong local partnerships", ["amountAwarded"] = 4800, ["conditions"] = "Share the walk timetable with the council",
            ["messageToApplicant"] = "We are pleased to offer you a grant.",
        }, "200", new JsonObject { ["instanceId"] = "0190c7e2-52a4-7b1e-9a3e-2f6d1c9b8a11", ["stage"] = "offer", ["moved"] = true }),
        ["POST api/webhooks"] = (new JsonObject
        {
            ["url"] = "https://finance.example.gov.uk/hooks/grants", ["events"] = new JsonArray("grant.awarded", "payment.released", "payment.paid"),
            ["description"] = "Finance system",
        }, null, null),
    };

    public static void Add(OpenApiOperation operation, string key)
    {
        if (!Examples.TryGetValue(key, out var example)) return;
        if (example.Request is not null && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true && body is OpenApiMediaType request)
            request.Example = example.Request;
        if (example.Status is { } status && operation.Responses?.GetValueOrDefault(status)?.Content?.TryGetValue("application/json", out var answer) == true
            && answer is OpenApiMediaType response)
            response.Example = example.Response;
    }
}
