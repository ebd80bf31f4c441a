using Mono.Cecil;

namespace ClinicBackend.Functions.Tests;

/// <summary>
/// The house rules, read from the compiled assemblies: namespaces name their project, no two namespaces
/// depend on each other (directly or round a longer circle), and the domain and application floors never
/// reach HTTP, Azure or Twilio types.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Projects =
        ["ClinicBackend.Domain", "ClinicBackend.Application", "ClinicBackend.Infrastructure", "ClinicBackend.Functions"];

    private static readonly Lazy<NamespaceGraph> Graph = new(() => NamespaceGraph.Read(Projects.Select(AssemblyPath)));

    [Fact]
    public void Namespaces_name_their_project()
    {
        var strays = Graph.Value.TypesByAssembly
            .SelectMany(a => a.Value.Where(ns => ns != a.Key && !ns.StartsWith(a.Key + ".", StringComparison.Ordinal)).Select(ns => $"{ns} in {a.Key}"))
            .ToList();
        Assert.Empty(strays);
    }

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        var circles = NamespaceGraph.Circles(Graph.Value.Edges);
        Assert.True(circles.Count == 0, "Circles between namespaces:\n" + string.Join("\n", circles.Select(c => string.Join(" <-> ", c))));
    }

    [Theory]
    [InlineData("ClinicBackend.Domain")]
    [InlineData("ClinicBackend.Application")]
    public void The_inner_floors_reach_no_http_azure_or_twilio_type(string project)
    {
        string[] forbidden = ["Azure.", "Twilio", "Microsoft.Azure.", "Microsoft.AspNetCore.", "System.Net.Http", "Microsoft.Identity"];
        var reaches = Graph.Value.External
            .Where(e => e.From.StartsWith(project, StringComparison.Ordinal) && forbidden.Any(f => e.To.StartsWith(f, StringComparison.Ordinal)))
            .Select(e => $"{e.From} -> {e.To}")
            .Distinct()
            .ToList();
        Assert.Empty(reaches);
    }

    [Fact]
    public void Floors_depend_only_downwards()
    {
        var order = Projects.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        int Floor(string ns) => order.Where(o => ns == o.Key || ns.StartsWith(o.Key + ".", StringComparison.Ordinal)).Select(o => o.Value).DefaultIfEmpty(-1).Max();
        var upwards = Graph.Value.Edges.Where(e => Floor(e.To) > Floor(e.From)).Select(e => $"{e.From} -> {e.To}").ToList();
        Assert.Empty(upwards);
    }

    [Fact]
    public void The_circle_finder_finds_a_new_circle()
    {
        var edges = new[] { ("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("E", "E") }.Select(e => new Dependency(e.Item1, e.Item2)).ToList();
        var circle = Assert.Single(NamespaceGraph.Circles(edges));
        Assert.Equal(["A", "B", "C"], circle);
        Assert.Empty(NamespaceGraph.Circles(edges.Where(e => e.To != "A").ToList()));
    }

    [Fact]
    public void Only_the_persistence_floor_reaches_the_store()
    {
        var calls = StoreCalls.Outside("ClinicBackend.Application.Persistence", Projects.Select(AssemblyPath));
        Assert.True(calls.Count == 0, "Store calls outside ClinicBackend.Application.Persistence (give each a named operation there):\n" + string.Join("\n", calls));
    }

    private static string AssemblyPath(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");
}

/// <summary>Calls of the document store's members (or of <c>ClinicData.Store</c>) in method bodies, by the calling method.</summary>
public static class StoreCalls
{
    private const string Port = "ClinicBackend.Application.Persistence.IDocumentStore";
    private const string Data = "ClinicBackend.Application.Persistence.ClinicData";

    /// <summary>Every call from a type outside <paramref name="allowed"/>, except the store's own implementations (they call their inner client, not the port).</summary>
    public static List<string> Outside(string allowed, IEnumerable<string> assemblyPaths)
    {
        var found = new List<string>();
        foreach (var module in assemblyPaths.Select(p => ModuleDefinition.ReadModule(p)))
        {
            var types = module.GetTypes().Where(t => NamespaceGraph.Outermost(t).Namespace is { } ns
                && ns.StartsWith("ClinicBackend", StringComparison.Ordinal) && ns != allowed && !ImplementsPort(NamespaceGraph.Outermost(t).Resolve()));
            foreach (var method in types.SelectMany(t => t.Methods).Where(m => m.HasBody))
            {
                found.AddRange(method.Body.Instructions
                    .Select(i => i.Operand as MethodReference)
                    .Where(m => m is not null && (m.DeclaringType.GetElementType().FullName == Port || (m.DeclaringType.FullName == Data && m.Name == "get_Store")))
                    .Select(m => $"{method.DeclaringType.FullName}.{method.Name} calls {m!.DeclaringType.Name}.{m.Name}"));
            }
        }
        return found.Distinct().ToList();
    }

    private static bool ImplementsPort(TypeDefinition? type) => type?.Interfaces.Any(i => i.InterfaceType.FullName == Port) == true;
}

public sealed record Dependency(string From, string To);

/// <summary>Which namespace uses which, from every type reference in signatures, attributes and method bodies.</summary>
public sealed class NamespaceGraph
{
    public Dictionary<string, HashSet<string>> TypesByAssembly { get; } = [];

    /// <summary>Between namespaces of the given assemblies.</summary>
    public HashSet<Dependency> Edges { get; } = [];

    /// <summary>From our namespaces to anything else.</summary>
    public HashSet<Dependency> External { get; } = [];

    public static NamespaceGraph Read(IEnumerable<string> assemblyPaths)
    {
        var graph = new NamespaceGraph();
        var modules = assemblyPaths.Select(p => ModuleDefinition.ReadModule(p)).ToList();
        var ours = modules.Select(m => m.Assembly.Name.Name).ToHashSet();
        foreach (var module in modules)
        {
            var name = module.Assembly.Name.Name;
            graph.TypesByAssembly[name] = [];
            foreach (var type in module.GetTypes().Where(t => Outermost(t).Namespace is { Length: > 0 } ns && ns.StartsWith("ClinicBackend", StringComparison.Ordinal)))
            {
                var from = Outermost(type).Namespace;
                graph.TypesByAssembly[name].Add(from);
                foreach (var used in References(type))
                {
                    var to = Outermost(used).Namespace;
                    if (string.IsNullOrEmpty(to) || to == from)
                    {
                        continue;
                    }
                    var scope = used.Scope is ModuleDefinition m ? m.Assembly.Name.Name : (used.Scope as AssemblyNameReference)?.Name ?? "";
                    (ours.Contains(scope) || scope == name ? graph.Edges : graph.External).Add(new Dependency(from, to));
                }
            }
        }
        return graph;
    }

    /// <summary>Every set of namespaces that reach each other (strongly connected, more than one), sorted.</summary>
    public static List<List<string>> Circles(IReadOnlyCollection<Dependency> edges)
    {
        var next = edges.Where(e => e.From != e.To).GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var (index, low, onStack, stack, result) = (new Dictionary<string, int>(), new Dictionary<string, int>(), new HashSet<string>(), new Stack<string>(), new List<List<string>>());
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next.GetValueOrDefault(v, []))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    result.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }
        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }
        return result;
    }

    public static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type;
    }

    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            switch (t)
            {
                case null:
                    return;
                case GenericInstanceType g:
                    Add(g.ElementType);
                    foreach (var a in g.GenericArguments)
                    {
                        Add(a);
                    }
                    return;
                case TypeSpecification s:
                    Add(s.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add(t);
                    return;
            }
        }
        void AddMethod(MethodReference m)
        {
            Add(m.DeclaringType);
            Add(m.ReturnType);
            foreach (var p in m.Parameters)
            {
                Add(p.ParameterType);
            }
            if (m is GenericInstanceMethod gm)
            {
                foreach (var a in gm.GenericArguments)
                {
                    Add(a);
                }
            }
        }
        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var a in provider.CustomAttributes)
            {
                Add(a.AttributeType);
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var i in type.Interfaces)
        {
            Add(i.InterfaceType);
        }
        foreach (var f in type.Fields)
        {
            Add(f.FieldType);
            AddAttributes(f);
        }
        foreach (var p in type.Properties)
        {
            Add(p.PropertyType);
            AddAttributes(p);
        }
        foreach (var m in type.Methods)
        {
            AddMethod(m);
            AddAttributes(m);
            foreach (var p in m.Parameters)
            {
                AddAttributes(p);
            }
            if (!m.HasBody)
            {
                continue;
            }
            foreach (var v in m.Body.Variables)
            {
                Add(v.VariableType);
            }
            foreach (var instruction in m.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MethodReference mr:
                        AddMethod(mr);
                        break;
                    case FieldReference fr:
                        Add(fr.DeclaringType);
                        Add(fr.FieldType);
                        break;
                }
            }
        }
        return found;
    }
}
