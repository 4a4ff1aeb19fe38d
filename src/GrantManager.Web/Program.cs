using GrantManager.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGrantManager();

var app = builder.Build();
app.UseGrantManager();
await app.InitialiseDatabaseAsync();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
