using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Atlas.Pipeline.Specs;

/// <summary>The one YAML configuration of specs, shared by reading, checking and writing.</summary>
internal static class SpecYaml
{
    /// <summary>
    /// Strict: unknown keys, missing required keys, nulls in non-nullable places and duplicate keys all fail (YamlDotNet
    /// is last-wins on duplicates otherwise). The loader reports these itself, with paths; this is the backstop.
    /// </summary>
    public static IDeserializer Deserializer { get; } = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnforceRequiredMembers()
        .WithDuplicateKeyChecking()
        .WithEnforceNullability()
        .WithTypeConverter(new EnumNameConverter())
        .Build();

    /// <summary>Writes every non-null property, quoting strings that would otherwise read back as numbers or null, and
    /// writing a value shared by two fields (a task's recipe inherits the default's lists) in full at both places
    /// rather than as a YAML alias.</summary>
    public static ISerializer Serializer { get; } = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .DisableAliases()
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .WithTypeConverter(new EnumNameConverter())
        .Build();

    /// <summary>
    /// Converts one scalar exactly as the deserializer would (hex, octal, <c>1_000</c>, quoted numbers, null spellings),
    /// so the structural check accepts precisely what deserialization accepts.
    /// </summary>
    /// <exception cref="YamlException">The scalar does not convert to <paramref name="type"/>.</exception>
    public static object? ConvertScalar(YamlScalarNode scalar, Type type) =>
        Deserializer.Deserialize(new SingleScalarParser(scalar), type);

    /// <summary>Whether the deserializer reads this scalar as null.</summary>
    public static bool IsNull(YamlScalarNode scalar) => ConvertScalar(scalar, typeof(object)) is null;

    /// <summary>Reads and writes enums by their <see cref="SpecNames"/> spelling only (YamlDotNet would accept any
    /// casing of the C# member name, and numbers).</summary>
    private sealed class EnumNameConverter : IYamlTypeConverter
    {
        public bool Accepts(Type type) => type.IsEnum;

        public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
        {
            var scalar = parser.Consume<Scalar>();
            return SpecNames.Parse(type, scalar.Value)
                ?? throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not one of {string.Join(", ", SpecNames.All(type))}");
        }

        public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
            emitter.Emit(new Scalar(SpecNames.Of((Enum)value!)));
    }

    /// <summary>The event stream of a document holding just one scalar.</summary>
    private sealed class SingleScalarParser(YamlScalarNode scalar) : IParser
    {
        private readonly ParsingEvent[] events =
        [
            new StreamStart(),
            new DocumentStart(),
            new Scalar(AnchorName.Empty, scalar.Tag, scalar.Value ?? "", scalar.Style, scalar.Tag.IsEmpty, scalar.Tag.IsEmpty, scalar.Start, scalar.End),
            new DocumentEnd(isImplicit: true),
            new StreamEnd(),
        ];

        private int position = -1;

        public ParsingEvent? Current => position >= 0 && position < events.Length ? events[position] : null;

        public bool MoveNext() => ++position < events.Length;
    }
}
