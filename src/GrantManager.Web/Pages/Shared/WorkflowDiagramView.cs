using GrantManager.Core.Workflows;

namespace GrantManager.Web.Pages.Shared;

/// <summary>A workflow's diagram, with its stages also as an accessible list; <see cref="Current"/> is highlighted.</summary>
public sealed record WorkflowDiagramView(WorkflowDefinition Definition, string? Current = null);
