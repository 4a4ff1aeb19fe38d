using System.Reflection;
using System.Reflection.Emit;
using GrantManager.Core.Applications;

namespace GrantManager.Tests.Site;

/// <summary>
/// The features of Core depend one way: grants, monitoring and the case file come from applications,
/// never the other way round. Every type of the Applications namespace is read as compiled (its
/// fields, signatures, attributes and each method's instructions, lambdas and EF Core query
/// expressions included), so a reference however written, <c>db.Grants</c> or a fully qualified
/// name, is found.
/// </summary>
public sealed class FeatureDependencyTests
{
    private static readonly string[] Above = ["GrantManager.Core.Grants", "GrantManager.Core.Monitoring", "GrantManager.Core.Payments", "GrantManager.Core.Cases"];

    [Fact]
    public void Applications_name_nothing_of_the_features_built_on_them()
    {
        var core = typeof(Application).Assembly;
        var found = core.GetTypes().Where(t => InNamespace(t, "GrantManager.Core.Applications"))
            .SelectMany(t => References(t).Where(r => Above.Any(n => InNamespace(r, n))).Select(r => $"{t.FullName} -> {r.FullName}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(found.Count == 0, "Applications name what is built on them:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_reader_finds_a_reference_inside_a_query()
    {
        // The check above can only fail if the reader sees what a method body uses: a grants query does.
        var used = References(typeof(Core.Cases.CaseFile)).ToList();
        Assert.Contains(typeof(Core.Grants.Grant), used);
        Assert.Contains(typeof(Core.Monitoring.MonitoringReturn), References(typeof(Core.Grants.Grant)));
    }

    private static bool InNamespace(Type t, string ns) => t.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Every type a type names: its base, interfaces, members' signatures and attributes, and what its methods' instructions use.</summary>
    private static IEnumerable<Type> References(Type type)
    {
        var seen = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter || !seen.Add(t)) return;
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        void AddMethod(MethodBase m)
        {
            Add(m.DeclaringType);
            if (m is MethodInfo mi) { Add(mi.ReturnType); if (mi.IsGenericMethod) foreach (var a in mi.GetGenericArguments()) Add(a); }
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var a in type.GetCustomAttributesData()) Add(a.AttributeType);
        foreach (var f in type.GetFields(Everything)) Add(f.FieldType);
        foreach (var p in type.GetProperties(Everything)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            AddMethod(m);
            foreach (var a in m.GetCustomAttributesData()) Add(a.AttributeType);
            foreach (var l in m.GetMethodBody()?.LocalVariables ?? []) Add(l.LocalType);
            foreach (var member in Operands(m)) switch (member)
            {
                case Type t: Add(t); break;
                case MethodBase called: AddMethod(called); break;
                case FieldInfo field: Add(field.DeclaringType); Add(field.FieldType); break;
            }
        }
        // Lambdas, closures and async state machines are nested types of the same namespace: read them too.
        foreach (var nested in type.GetNestedTypes(Everything)) foreach (var t in References(nested)) seen.Add(t);
        return seen;
    }

    /// <summary>The types, methods and fields a method's instructions name.</summary>
    private static IEnumerable<MemberInfo> Operands(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    at += 4;
                    MemberInfo? member;
                    try { member = method.Module.ResolveMember(token, typeArgs, methodArgs); }
                    catch (ArgumentException) { member = null; }
                    if (member is not null) yield return member;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}
