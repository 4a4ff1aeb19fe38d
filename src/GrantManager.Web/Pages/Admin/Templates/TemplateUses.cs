using GrantManager.Core.Workflows;

namespace GrantManager.Web.Pages.Admin.Templates;

/// <summary>Where the newest version of each workflow sends a template: "Grant application: Eligibility check (on entry)".</summary>
public static class TemplateUses
{
    public static Dictionary<string, List<string>> Of(WorkflowRegistry registry)
    {
        var uses = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string template, string where)
        {
            if (!uses.TryGetValue(template, out var list)) uses[template] = list = [];
            if (!list.Contains(where)) list.Add(where);
        }
        foreach (var d in registry.Newest)
            foreach (var (key, state) in d.States)
            {
                var stage = $"{d.Name}: {state.Title ?? key}";
                foreach (var e in state.Emails) Add(e.Template, $"{stage} (when it starts)");
                foreach (var t in state.Tasks) foreach (var e in t.Emails) Add(e.Template, $"{stage} (when “{t.Title}” opens)");
                foreach (var t in state.Timers) if (t.Email is { } e) Add(e.Template, $"{stage} (a timer)");
            }
        return uses;
    }
}
