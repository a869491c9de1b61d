using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;

namespace Atlas.Pipeline.Provenance;

/// <summary>
/// A hash of the code a stage runs, so that a code change makes exactly the stages that run it stale (DVC's
/// <c>changed()</c> treats code as a dependency; a git commit cannot, since one commit changes every stage's). It is
/// the SHA-256 of the intermediate language of every method reachable from an entry point (a stage's <c>Execute</c>)
/// inside the project's own assemblies, each instruction written out with the names its operands resolve to rather
/// than metadata token numbers, which shift whenever anything is added to an assembly. Libraries (TorchSharp, .NET)
/// are left out: their versions are in the lock's package list.
/// <para>What is followed from a method: the methods it calls or takes as delegates (lambdas), the constructors it
/// calls, the static constructor of every project type it touches, all methods of the compiler-generated types it
/// touches (closures, iterators and async state machines), and, for a call of a virtual or interface method declared
/// in the project, every override and implementation in the project (a superset: a stage may be stale for a change it
/// would not have reached, never the reverse). A virtual method declared in a library (<c>object.ToString</c>,
/// <c>IDisposable.Dispose</c>) is not followed into the project's overrides: following those would tie every stage to
/// every record in the project.</para>
/// </summary>
public sealed class CodeFingerprint(Func<Assembly, bool> include)
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly ConcurrentDictionary<MethodBase, (string Body, List<MethodBase> Reached)> methods = new();
    private readonly ConcurrentDictionary<MethodBase, string> fingerprints = new();
    private List<Type>? projectTypes;
    private Assembly? root;

    /// <summary>The project's assemblies: those named <c>Atlas.*</c>.</summary>
    public static CodeFingerprint Project { get; } = new(assembly => assembly.GetName().Name?.StartsWith("Atlas.", StringComparison.Ordinal) == true);

    /// <summary>The fingerprint (lowercase hex SHA-256) of the code reachable from <paramref name="entry"/>.</summary>
    public string Of(MethodBase entry)
    {
        root ??= entry.DeclaringType?.Assembly;
        return fingerprints.GetOrAdd(Definition(entry), Compute);
    }

    /// <summary>How many methods the fingerprint of <paramref name="entry"/> covers.</summary>
    public int MethodCount(MethodBase entry) => Reachable(Definition(entry)).Count;

    private string Compute(MethodBase entry)
    {
        var listing = new StringBuilder();
        foreach (var method in Reachable(entry).OrderBy(Key, StringComparer.Ordinal))
            listing.Append(Key(method)).Append('\n').Append(methods[method].Body).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    private HashSet<MethodBase> Reachable(MethodBase entry)
    {
        var reached = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>([entry]);
        if (entry.DeclaringType?.TypeInitializer is { } initializer) pending.Push(initializer);
        while (pending.TryPop(out var method))
        {
            if (!reached.Add(method)) continue;
            foreach (var next in methods.GetOrAdd(method, Read).Reached)
                if (!reached.Contains(next)) pending.Push(next);
        }
        return reached;
    }

    /// <summary>The method's normalised instructions, and the project methods it leads to.</summary>
    private (string Body, List<MethodBase> Reached) Read(MethodBase method)
    {
        var text = new StringBuilder();
        var reached = new List<MethodBase>();
        MethodBody? body;
        try
        {
            body = method.GetMethodBody();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            body = null;
        }
        if (body is null) return ("(no body)", reached);

        text.Append("locals:");
        foreach (var local in body.LocalVariables) text.Append(' ').Append(TypeName(local.LocalType));
        text.Append('\n');
        foreach (var clause in body.ExceptionHandlingClauses)
            text.Append(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"try {clause.Flags} {clause.TryOffset}+{clause.TryLength} handler {clause.HandlerOffset}+{clause.HandlerLength} {(clause.Flags == ExceptionHandlingClauseOptions.Clause ? TypeName(clause.CatchType!) : "")}\n"));

        var il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int offset = 0;
        while (offset < il.Length)
        {
            short value = il[offset] == 0xFE && offset + 1 < il.Length ? (short)(0xFE00 | il[offset + 1]) : il[offset];
            if (!OpCodesByValue.TryGetValue(value, out var opcode))
            {
                text.Append("?").Append(il[offset]).Append('\n');
                offset++;
                continue;
            }
            offset += opcode.Size;
            text.Append(opcode.Name);
            switch (opcode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    text.Append(' ').Append(il[offset]);
                    offset += 1;
                    break;
                case OperandType.InlineVar:
                    text.Append(' ').Append(BitConverter.ToUInt16(il, offset));
                    offset += 2;
                    break;
                case OperandType.InlineBrTarget:
                case OperandType.InlineI:
                    text.Append(' ').Append(BitConverter.ToInt32(il, offset));
                    offset += 4;
                    break;
                case OperandType.ShortInlineR:
                    text.Append(' ').Append(BitConverter.ToSingle(il, offset).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    offset += 4;
                    break;
                case OperandType.InlineI8:
                    text.Append(' ').Append(BitConverter.ToInt64(il, offset));
                    offset += 8;
                    break;
                case OperandType.InlineR:
                    text.Append(' ').Append(BitConverter.ToDouble(il, offset).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    offset += 8;
                    break;
                case OperandType.InlineSwitch:
                {
                    int count = BitConverter.ToInt32(il, offset);
                    offset += 4;
                    text.Append(' ').Append(count).Append(':');
                    for (int i = 0; i < count; i++, offset += 4) text.Append(' ').Append(BitConverter.ToInt32(il, offset));
                    break;
                }
                case OperandType.InlineString:
                    text.Append(" \"").Append(module.ResolveString(BitConverter.ToInt32(il, offset))).Append('"');
                    offset += 4;
                    break;
                case OperandType.InlineSig:
                    text.Append(" sig ").Append(Convert.ToHexString(module.ResolveSignature(BitConverter.ToInt32(il, offset))));
                    offset += 4;
                    break;
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                {
                    var member = Resolve(module, BitConverter.ToInt32(il, offset), typeArguments, methodArguments);
                    offset += 4;
                    text.Append(' ').Append(member is null ? "(unresolved)" : MemberName(member));
                    if (member is not null) Follow(member, opcode, reached);
                    break;
                }
                default:
                    throw new NotSupportedException($"IL operand type {opcode.OperandType} in {Key(method)}");
            }
            text.Append('\n');
        }
        return (text.ToString(), reached);
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException or MissingMemberException)
        {
            return null;
        }
    }

    /// <summary>Adds the project methods an operand leads to.</summary>
    private void Follow(MemberInfo member, OpCode opcode, List<MethodBase> reached)
    {
        switch (member)
        {
            case MethodBase method:
            {
                var definition = Definition(method);
                if (IsProject(definition.DeclaringType)) reached.Add(definition);
                if ((opcode == OpCodes.Callvirt || opcode == OpCodes.Ldvirtftn) && definition is MethodInfo { IsVirtual: true, IsFinal: false } virtualMethod
                    && IsProject(virtualMethod.DeclaringType))
                    reached.AddRange(Overrides(virtualMethod));
                Touch(method.DeclaringType, reached);
                if (method.IsGenericMethod) foreach (var argument in method.GetGenericArguments()) Touch(argument, reached);
                break;
            }
            case FieldInfo field:
                Touch(field.DeclaringType, reached);
                break;
            case Type type:
                Touch(type, reached);
                break;
        }
    }

    /// <summary>A project type used: its static constructor, and all of a compiler-generated type's methods.</summary>
    private void Touch(Type? type, List<MethodBase> reached)
    {
        if (type is null || type.IsGenericParameter) return;
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments()) Touch(argument, reached);
            type = type.GetGenericTypeDefinition();
        }
        if (type.HasElementType)
        {
            Touch(type.GetElementType(), reached);
            return;
        }
        if (!IsProject(type)) return;
        if (type.TypeInitializer is { } initializer) reached.Add(initializer);
        if (IsCompilerGenerated(type))
        {
            reached.AddRange(type.GetMethods(Declared));
            reached.AddRange(type.GetConstructors(Declared));
        }
    }

    private static bool IsCompilerGenerated(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
            if (t.Name.StartsWith('<') || t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)) return true;
        return false;
    }

    /// <summary>Every override or implementation of <paramref name="method"/> in the project (by name and arity in the
    /// types that derive from or implement its declaring type).</summary>
    private IEnumerable<MethodBase> Overrides(MethodInfo method)
    {
        var declaring = method.DeclaringType!;
        int arity = method.GetParameters().Length;
        foreach (var type in ProjectTypes(root ?? declaring.Assembly).Where(t => t != declaring && Extends(t, declaring)))
            foreach (var candidate in type.GetMethods(Declared))
                if ((candidate.Name == method.Name || candidate.Name.EndsWith("." + method.Name, StringComparison.Ordinal))
                    && candidate.GetParameters().Length == arity)
                    yield return candidate;
    }

    private static bool Extends(Type type, Type baseOrInterface)
    {
        static Type Plain(Type t) => t.IsConstructedGenericType ? t.GetGenericTypeDefinition() : t;
        var target = Plain(baseOrInterface);
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (Plain(t) == target) return true;
        return type.GetInterfaces().Any(i => Plain(i) == target);
    }

    /// <summary>Every type of the project's assemblies reachable by reference from <paramref name="start"/> (the first
    /// entry's assembly: for a stage, Atlas.Stages and the libraries under it), loaded in its load context. Not every
    /// loaded project assembly: the host (the CLI, a test assembly with its own implementations of project interfaces)
    /// would then change the fingerprint, and a stage run by <c>atlas run</c> would look changed to a test process.</summary>
    private List<Type> ProjectTypes(Assembly start)
    {
        if (projectTypes is { } known) return known;
        var context = AssemblyLoadContext.GetLoadContext(start) ?? AssemblyLoadContext.Default;
        var assemblies = new HashSet<Assembly>();
        var pending = new Stack<Assembly>([start]);
        while (pending.TryPop(out var assembly))
        {
            if (!include(assembly) || !assemblies.Add(assembly)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                try
                {
                    pending.Push(context.LoadFromAssemblyName(reference));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // A reference that cannot be loaded is not part of the project's code.
                }
            }
        }
        var types = new List<Type>();
        foreach (var assembly in assemblies.OrderBy(a => a.FullName, StringComparer.Ordinal))
        {
            try
            {
                types.AddRange(assembly.GetTypes());
            }
            catch (ReflectionTypeLoadException e)
            {
                types.AddRange(e.Types.OfType<Type>());
            }
        }
        return projectTypes = types;
    }

    private bool IsProject(Type? type) => type is not null && include(type.Assembly);

    /// <summary>The generic definition of a method (the code is the same for every instantiation).</summary>
    private static MethodBase Definition(MethodBase method)
    {
        if (method is MethodInfo { IsGenericMethod: true, IsGenericMethodDefinition: false } generic) method = generic.GetGenericMethodDefinition();
        if (method.DeclaringType is { IsConstructedGenericType: true } constructed)
        {
            var definition = constructed.GetGenericTypeDefinition();
            return definition.GetMethods(Declared).Cast<MethodBase>().Concat(definition.GetConstructors(Declared))
                .First(m => m.MetadataToken == method.MetadataToken && m.Module == method.Module);
        }
        return method;
    }

    private static string Key(MethodBase method) =>
        $"{TypeName(method.DeclaringType)}::{method.Name}{(method.IsGenericMethod ? "`" + method.GetGenericArguments().Length : "")}"
        + $"({string.Join(",", method.GetParameters().Select(p => TypeName(p.ParameterType)))})";

    private static string MemberName(MemberInfo member) => member switch
    {
        MethodBase method => Key(method) + (method is MethodInfo m && m.IsGenericMethod && !m.IsGenericMethodDefinition
            ? "<" + string.Join(",", m.GetGenericArguments().Select(TypeName)) + ">" : ""),
        FieldInfo field => $"{TypeName(field.DeclaringType)}::{field.Name}:{TypeName(field.FieldType)}",
        Type type => TypeName(type),
        _ => member.ToString() ?? member.Name,
    };

    private static string TypeName(Type? type) => type is null ? "" : FileLocalId.Replace(type.FullName ?? type.ToString(), ">F(file)__");

    /// <summary>The hash of its file's path in a file-local type's name (<c>&lt;RegexGenerator_g&gt;F5428…__Utilities</c>,
    /// one per file for the regex source generator): it says where the checkout is, not what the code does.</summary>
    private static readonly System.Text.RegularExpressions.Regex FileLocalId =
        new(">F[0-9A-F]{64}__", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
