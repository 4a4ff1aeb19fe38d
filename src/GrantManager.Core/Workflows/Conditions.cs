using System.Globalization;
using System.Text.Json;

namespace GrantManager.Core.Workflows;

/// <summary>What a condition can see when it is evaluated: the instance's fields and its current tasks.</summary>
public sealed class ConditionContext
{
    public required IReadOnlyDictionary<string, JsonElement> Fields { get; init; }
    /// <summary>Outcomes of the tasks completed in the current stage, including the one completing now.</summary>
    public IReadOnlyList<string> CompletedOutcomes { get; init; } = [];
    public int OpenTasks { get; init; }
    /// <summary>The outcome being recorded now, if a task is completing.</summary>
    public string? Outcome { get; init; }
}

public sealed record CompiledCondition(string Source, Func<ConditionContext, bool> Evaluate);

public sealed class ConditionException(string message) : Exception(message);

/// <summary>
/// Compiles the small condition language of workflow definitions into delegates at load time,
/// checking every name and type, so nothing is interpreted from text at run time.
/// <code>
/// condition  := or
/// or         := and ("or" and)*
/// and        := not ("and" not)*
/// not        := "not" not | comparison
/// comparison := operand (("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=") operand)?
/// operand    := number | "text" | 'text' | true | false | name | "(" condition ")"
/// </code>
/// Names are the definition's fields and: allTasksComplete, openTasks, completedTasks, outcome,
/// anyOutcome and allOutcomes (compared with a text: <c>anyOutcome == "reject"</c>).
/// </summary>
public static class ConditionCompiler
{
    private enum Kind { Number, Text, Boolean, Date, Outcomes }

    private sealed record Node(Kind Kind, Func<ConditionContext, object?> Eval, bool All = false);

    private static readonly Dictionary<string, Node> BuiltIns = new()
    {
        ["allTasksComplete"] = new(Kind.Boolean, c => c.OpenTasks == 0),
        ["openTasks"] = new(Kind.Number, c => (decimal)c.OpenTasks),
        ["completedTasks"] = new(Kind.Number, c => (decimal)c.CompletedOutcomes.Count),
        ["outcome"] = new(Kind.Text, c => c.Outcome),
        ["anyOutcome"] = new(Kind.Outcomes, c => c.CompletedOutcomes),
        ["allOutcomes"] = new(Kind.Outcomes, c => c.CompletedOutcomes, All: true),
    };

    public static IReadOnlyCollection<string> BuiltInNames => BuiltIns.Keys;

    public static CompiledCondition Compile(string source, IReadOnlyDictionary<string, FieldDefinition> fields)
    {
        var parser = new Parser(Tokenise(source), fields, source);
        var node = parser.ParseOr();
        parser.ExpectEnd();
        if (node.Kind != Kind.Boolean)
            throw new ConditionException($"'{source}' is not a yes/no condition");
        var eval = node.Eval;
        return new CompiledCondition(source, c => eval(c) is true);
    }

    private sealed record Token(string Text, bool IsString, int Position);

    private static List<Token> Tokenise(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '"' or '\'')
            {
                var end = s.IndexOf(c, i + 1);
                if (end < 0) throw new ConditionException($"unclosed text at position {i + 1} in '{s}'");
                tokens.Add(new Token(s[(i + 1)..end], true, i));
                i = end + 1;
                continue;
            }
            if (c is '(' or ')') { tokens.Add(new Token(c.ToString(), false, i)); i++; continue; }
            if (c is '=' or '!' or '<' or '>')
            {
                var op = i + 1 < s.Length && s[i + 1] == '=' ? s.Substring(i, 2) : c.ToString();
                if (op is "=" or "!") throw new ConditionException($"unknown operator '{op}' at position {i + 1} in '{s}' (use == or !=)");
                tokens.Add(new Token(op, false, i));
                i += op.Length;
                continue;
            }
            if (char.IsLetterOrDigit(c) || c is '_' or '.' or '-')
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '_' or '.' or '-')) i++;
                tokens.Add(new Token(s[start..i], false, start));
                continue;
            }
            throw new ConditionException($"unexpected '{c}' at position {i + 1} in '{s}'");
        }
        return tokens;
    }

    private sealed class Parser(List<Token> tokens, IReadOnlyDictionary<string, FieldDefinition> fields, string source)
    {
        private int _i;
        private Token? Peek => _i < tokens.Count ? tokens[_i] : null;
        private bool IsWord(string w) => Peek is { IsString: false } t && t.Text == w;

        public void ExpectEnd()
        {
            if (Peek is { } t) throw new ConditionException($"unexpected '{t.Text}' at position {t.Position + 1} in '{source}'");
        }

        public Node ParseOr()
        {
            var left = ParseAnd();
            while (IsWord("or"))
            {
                _i++;
                var l = RequireBool(left, "or");
                var r = RequireBool(ParseAnd(), "or");
                left = new Node(Kind.Boolean, c => l(c) || r(c));
            }
            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseNot();
            while (IsWord("and"))
            {
                _i++;
                var l = RequireBool(left, "and");
                var r = RequireBool(ParseNot(), "and");
                left = new Node(Kind.Boolean, c => l(c) && r(c));
            }
            return left;
        }

        private Node ParseNot()
        {
            if (!IsWord("not")) return ParseComparison();
            _i++;
            var inner = RequireBool(ParseNot(), "not");
            return new Node(Kind.Boolean, c => !inner(c));
        }

        private Func<ConditionContext, bool> RequireBool(Node n, string op)
        {
            if (n.Kind != Kind.Boolean) throw new ConditionException($"'{op}' needs yes/no conditions on both sides in '{source}'");
            var eval = n.Eval;
            return c => eval(c) is true;
        }

        private Node ParseComparison()
        {
            var left = ParseOperand();
            if (Peek is not { IsString: false } t || t.Text is not ("==" or "!=" or "<" or "<=" or ">" or ">=")) return left;
            _i++;
            var right = ParseOperand();
            return Compare(left, t.Text, right);
        }

        private Node Compare(Node left, string op, Node right)
        {
            if (left.Kind == Kind.Outcomes || right.Kind == Kind.Outcomes)
            {
                var (set, text) = left.Kind == Kind.Outcomes ? (left, right) : (right, left);
                if (text.Kind != Kind.Text || op is not ("==" or "!="))
                    throw new ConditionException($"anyOutcome and allOutcomes compare with == or != and a text, in '{source}'");
                Func<ConditionContext, bool> test = set.All
                    ? c => set.Eval(c) is IReadOnlyList<string> { Count: > 0 } o && o.All(x => x == (string?)text.Eval(c))
                    : c => set.Eval(c) is IReadOnlyList<string> o && o.Contains((string?)text.Eval(c));
                return new Node(Kind.Boolean, op == "==" ? c => test(c) : c => !test(c));
            }
            if (left.Kind != right.Kind)
                throw new ConditionException($"cannot compare {Describe(left.Kind)} with {Describe(right.Kind)} in '{source}'");
            if (left.Kind is Kind.Text or Kind.Boolean && op is not ("==" or "!="))
                throw new ConditionException($"{Describe(left.Kind)} values compare only with == or !=, in '{source}'");
            var l = left.Eval;
            var r = right.Eval;
            return new Node(Kind.Boolean, c =>
            {
                var a = l(c);
                var b = r(c);
                if (a is null || b is null) return op switch { "==" => a is null && b is null, "!=" => !(a is null && b is null), _ => false };
                var cmp = Comparer<object>.Default.Compare(a, b);
                return op switch { "==" => cmp == 0, "!=" => cmp != 0, "<" => cmp < 0, "<=" => cmp <= 0, ">" => cmp > 0, _ => cmp >= 0 };
            });
        }

        private Node ParseOperand()
        {
            var t = Peek ?? throw new ConditionException($"'{source}' ends too early");
            _i++;
            if (t.IsString) return new Node(Kind.Text, _ => t.Text);
            if (t.Text == "(")
            {
                var inner = ParseOr();
                if (Peek is not { Text: ")", IsString: false }) throw new ConditionException($"missing ')' in '{source}'");
                _i++;
                return inner;
            }
            if (t.Text is "true" or "false") { var b = t.Text == "true"; return new Node(Kind.Boolean, _ => b); }
            if (decimal.TryParse(t.Text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                return new Node(Kind.Number, _ => n);
            if (BuiltIns.TryGetValue(t.Text, out var builtIn)) return builtIn;
            if (fields.TryGetValue(t.Text, out var field))
            {
                var name = t.Text;
                return field.Type switch
                {
                    "number" or "money" => new Node(Kind.Number, c => c.Fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null),
                    "boolean" => new Node(Kind.Boolean, c => c.Fields.TryGetValue(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null),
                    "date" => new Node(Kind.Date, c => c.Fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var d) ? d.ToUniversalTime() : null),
                    _ => new Node(Kind.Text, c => c.Fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null),
                };
            }
            if (t.Text is "(" or ")" or "and" or "or" or "not")
                throw new ConditionException($"unexpected '{t.Text}' at position {t.Position + 1} in '{source}'");
            throw new ConditionException($"'{t.Text}' is not a field of this workflow or a built-in name ({string.Join(", ", fields.Keys.Concat(BuiltIns.Keys))})");
        }

        private static string Describe(Kind k) => k switch
        {
            Kind.Number => "a number", Kind.Text => "a text", Kind.Boolean => "a yes/no value", Kind.Date => "a date", _ => "outcomes",
        };
    }
}
