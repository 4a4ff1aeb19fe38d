namespace GrantManager.Web.Hosting;

/// <summary>Finds the workflows folder when <c>Workflows:Path</c> is not set.</summary>
internal static class WorkflowFolder
{
    /// <summary>The repository's workflows/ above the content root, else the copy beside the binaries.</summary>
    public static string? Find(string contentRoot)
    {
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "workflows");
            if (File.Exists(Path.Combine(candidate, "workflow.schema.json"))) return candidate;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "workflows");
        return Directory.Exists(beside) ? beside : null;
    }
}
