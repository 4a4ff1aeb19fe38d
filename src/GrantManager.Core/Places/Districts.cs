using GrantManager.Core.Workflows;

namespace GrantManager.Core.Places;

/// <summary>A place with its ONS code and 360Giving code type (Swale, E07000113, NMD).</summary>
public sealed record Place(string Name, string Code, string CodeType);

/// <summary>The council's area and its districts, from <c>workflows/settings/districts.json</c>, checked against its schema at start-up.</summary>
public sealed class Districts
{
    public const string FileName = "districts.json";
    public const string SchemaFileName = "districts.schema.json";

    private readonly Dictionary<string, Place> _byName;

    public Districts(Place area, IReadOnlyList<Place> districts)
    {
        Area = area;
        All = districts;
        _byName = districts.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The whole area (Kent, a county).</summary>
    public Place Area { get; }
    public IReadOnlyList<Place> All { get; }
    public IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>The district of that name, however it is capitalised; null for anything else.</summary>
    public Place? Find(string? name) => name is not null && _byName.TryGetValue(name.Trim(), out var d) ? d : null;

    private sealed record File(Place Area, List<Place> Districts);

    public static Districts Load(string workflowsFolder)
    {
        var path = Path.Combine(workflowsFolder, "settings", FileName);
        var schema = Path.Combine(workflowsFolder, "settings", SchemaFileName);
        var problems = new List<WorkflowProblem>();
        if (!System.IO.File.Exists(path) || !System.IO.File.Exists(schema))
            throw new WorkflowLoadException(workflowsFolder, [new WorkflowProblem($"settings/{FileName}", "$", "the council's districts (and their schema) are missing: list the districts applicants choose from")]);
        var file = WorkflowLoader.ReadSettings<File>(path, schema, problems);
        if (file is not null)
            foreach (var twice in file.Districts.Select((d, i) => (d, i)).GroupBy(x => x.d.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                problems.Add(new WorkflowProblem($"settings/{FileName}", $"$.districts[{twice.Last().i}].name", $"'{twice.Key}' is listed more than once"));
        if (problems.Count > 0 || file is null) throw new WorkflowLoadException(workflowsFolder, problems);
        return new Districts(file.Area, file.Districts);
    }
}
