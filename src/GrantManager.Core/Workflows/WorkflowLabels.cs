namespace GrantManager.Core.Workflows;

/// <summary>How outcomes, triggers and statuses read to people: titles, not the codes in the definitions.</summary>
public static class WorkflowText
{
    private static readonly Dictionary<string, string> Outcomes = new()
    {
        ["eligible"] = "Eligible", ["ineligible"] = "Not eligible", ["more-information-needed"] = "More information needed",
        ["information-provided"] = "Send the information", ["fund"] = "Recommend: fund", ["do-not-fund"] = "Recommend: do not fund",
        ["approve"] = "Approve", ["reject"] = "Reject", ["accept"] = "Accept the offer", ["decline"] = "Decline the offer",
        ["withdraw"] = "Withdraw", ["lapse"] = "Offer lapsed",
        ["submit"] = "Send the report", ["accept-report"] = "Accept the report", ["request-changes"] = "Request changes",
        ["paid"] = "Paid", ["chased"] = "Chased up", ["open"] = "Opened for the grant holder",
    };

    /// <summary>An outcome or trigger as a person reads it: "more-information-needed" is "More information needed".</summary>
    public static string Outcome(string key) =>
        string.IsNullOrEmpty(key) ? "" : Outcomes.TryGetValue(key, out var label) ? label : Sentence(key);

    /// <summary>A status code as a tag shows it: "changes-requested" is "Changes requested".</summary>
    public static string Status(string? code) => string.IsNullOrEmpty(code) ? "" : Sentence(code);

    /// <summary>Outcomes as a list a sentence can end with: "Eligible, Not eligible or More information needed".</summary>
    public static string Choices(IEnumerable<string> outcomes)
    {
        var titles = outcomes.Select(Outcome).ToList();
        return titles.Count <= 1 ? string.Concat(titles) : $"{string.Join(", ", titles[..^1])} or {titles[^1]}";
    }

    /// <summary>"a" or "an" and the role, in lower case: "an assessor", "a grant officer".</summary>
    public static string ARole(string role)
    {
        var name = Data.Roles.Describe(role).ToLowerInvariant();
        return ("aeiou".Contains(name[0]) ? "an " : "a ") + name;
    }

    /// <summary>An ISO 8601 duration in words: "P5D" is "5 days", "P14D" is "2 weeks", "P3M" is "3 months".</summary>
    public static string Duration(string iso)
    {
        if (!WorkflowDuration.TryParse(iso, out var d)) return iso;
        var parts = new List<string>();
        void Add(int n, string unit) { if (n > 0) parts.Add(Wording.Count(n, unit)); }
        Add(d.Years, "year");
        Add(d.Months, "month");
        if (d.Days > 0 && d.Days % 7 == 0) Add(d.Days / 7, "week"); else Add(d.Days, "day");
        Add(d.Time.Hours + d.Time.Days * 24, "hour");
        Add(d.Time.Minutes, "minute");
        return parts.Count == 0 ? "no time" : parts.Count == 1 ? parts[0] : $"{string.Join(", ", parts[..^1])} and {parts[^1]}";
    }

    /// <summary>
    /// When a timer or due date falls, in words: "3 days before the task is due", "2 weeks after the
    /// stage starts", "when the task is due".
    /// </summary>
    public static string Offset(string iso, string from, WorkflowDefinition definition)
    {
        var anchor = Anchor(from, definition);
        if (!WorkflowDuration.TryParse(iso, out var d)) return $"{iso} from {anchor}";
        if (d == WorkflowDuration.Zero || d with { Negative = false } == WorkflowDuration.Zero) return from == "taskDue" ? "when the task is due" : $"at {anchor}";
        return $"{Duration(iso)} {(d.Negative ? "before" : "after")} {anchor}";
    }

    /// <summary>What a timer or due date counts from: "the stage starts", "the task is due", or a date field in words.</summary>
    public static string Anchor(string from, WorkflowDefinition definition) => from switch
    {
        "entered" => "the stage starts",
        "taskDue" => "the task is due",
        _ => "the " + FieldName(from, definition),
    };

    /// <summary>A field in words: the start of its description ("the reminder time on the last day"), or its name split into words.</summary>
    public static string FieldName(string field, WorkflowDefinition definition)
    {
        if (definition.Fields.GetValueOrDefault(field)?.Description is { Length: > 0 } description)
        {
            var cut = description.IndexOfAny([':', '.', ',', ';']);
            var phrase = (cut > 0 ? description[..cut] : description).Trim();
            if (phrase.StartsWith("The ", StringComparison.Ordinal)) return phrase[4..];
            // "What the applicant asked for" does not name the field; the name does.
            if (!phrase.StartsWith("What ", StringComparison.Ordinal) && !phrase.StartsWith("Whether ", StringComparison.Ordinal))
                return char.ToLowerInvariant(phrase[0]) + phrase[1..];
        }
        return System.Text.RegularExpressions.Regex.Replace(field, "(?<=[a-z0-9])([A-Z])", " $1").ToLowerInvariant();
    }

    /// <summary>Who an email goes to, in words.</summary>
    public static string Recipient(string to) => to switch
    {
        "applicant" => "the applicant",
        "assignee" => "the person doing the task",
        _ when to.StartsWith("role:", StringComparison.Ordinal) => $"every {Data.Roles.Describe(to[5..]).ToLowerInvariant()}",
        _ when to.StartsWith("email:", StringComparison.Ordinal) => to[6..],
        _ => to,
    };

    /// <summary>
    /// A transition's condition in words: <c>allTasksComplete and amountRequested &lt;= 5000</c> is
    /// "every task at this stage is done and the amount requested is £5,000 or less".
    /// </summary>
    public static string Condition(string source, WorkflowDefinition definition)
    {
        var tokens = System.Text.RegularExpressions.Regex.Matches(source, "\"[^\"]*\"|'[^']*'|<=|>=|==|!=|<|>|\\(|\\)|[A-Za-z0-9_.\\-]+")
            .Select(m => m.Value).Where(t => t is not "(" and not ")").ToList();
        var words = new List<string>();
        string? subject = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            if (t is "<=" or ">=" or "==" or "!=" or "<" or ">" && next is not null)
            {
                var value = Value(next, subject);
                words.Add(t switch
                {
                    "<=" => $"is {value} or less", ">=" => $"is {value} or more", "<" => $"is less than {value}",
                    ">" => $"is more than {value}", "==" => $"is {value}", _ => $"is not {value}",
                });
                i++;
                continue;
            }
            words.Add(t switch
            {
                "and" or "or" or "not" => t,
                "allTasksComplete" => "every task at this stage is done",
                "openTasks" => "the number of tasks still open",
                "completedTasks" => "the number of tasks done",
                "outcome" => "the outcome",
                "anyOutcome" => "any outcome given",
                "allOutcomes" => "every outcome given",
                "true" => "yes",
                "false" => "no",
                _ when definition.Fields.ContainsKey(t) => "the " + FieldName(t, definition),
                _ => Value(t, subject),
            });
            subject = t;
        }
        return string.Join(" ", words);

        string Value(string token, string? about)
        {
            if (token.Length >= 2 && token[0] is '"' or '\'')
            {
                var text = token[1..^1];
                return about is "outcome" or "anyOutcome" or "allOutcomes" ? $"“{Outcome(text)}”" : $"“{text}”";
            }
            if (token is "true") return "yes";
            if (token is "false") return "no";
            if (decimal.TryParse(token, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var n))
                return about is not null && definition.Fields.GetValueOrDefault(about)?.Type == "money" ? Money.Format(n) : n.ToString("#,0.##", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
            return definition.Fields.ContainsKey(token) ? "the " + FieldName(token, definition) : token;
        }
    }

    private static string Sentence(string code) => char.ToUpperInvariant(code[0]) + code[1..].Replace('-', ' ');
}
