using GrantManager.Core.Workflows;

namespace GrantManager.Web.Pages.Shared;

/// <summary>A workflow's diagram, with its stages also as an accessible list; <see cref="Current"/> is highlighted.</summary>
/// <param name="Scripts">False where the page loads the drawing scripts itself (the editor, which redraws the diagram as the draft changes).</param>
public sealed record WorkflowDiagramView(WorkflowDefinition Definition, string? Current = null, bool Scripts = true);
