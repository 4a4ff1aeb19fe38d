namespace GrantManager.Core.Workflows;

/// <summary>
/// The loaded definitions, every version of each: an immutable snapshot the runtime asks for each
/// instance's own version (<see cref="Get"/>) and for the newest to start (<see cref="Find"/>). Versions
/// come from the files in <c>workflows/</c> today; versions published later (from a database) would make a
/// new snapshot with them added, never change a definition already loaded.
/// </summary>
public sealed class WorkflowRegistry(IEnumerable<WorkflowDefinition> definitions)
{
    private readonly Dictionary<(string, int), WorkflowDefinition> _byVersion = definitions.ToDictionary(d => (d.Id, d.Version));

    /// <summary>Every version of one definition, oldest first.</summary>
    public IEnumerable<WorkflowDefinition> Versions(string id) => All.Where(d => d.Id == id);

    public IEnumerable<WorkflowDefinition> All => _byVersion.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Version);

    public IEnumerable<WorkflowDefinition> Newest => All.GroupBy(d => d.Id).Select(g => g.MaxBy(d => d.Version)!);

    public WorkflowDefinition? Find(string id, int? version = null) => version is int v
        ? _byVersion.GetValueOrDefault((id, v))
        : _byVersion.Values.Where(d => d.Id == id).MaxBy(d => d.Version);

    public WorkflowDefinition Get(string id, int version) =>
        Find(id, version) ?? throw new InvalidOperationException($"Workflow {id} version {version} is not loaded");
}
