using GrantManager.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrantManager();

var app = builder.Build();
app.UseGrantManager();
// The build writes the OpenAPI document by starting the host without serving (GetDocument.Insider): no database then.
if (!GrantManagerServices.WritingOpenApiDocument) await app.InitialiseDatabaseAsync();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
