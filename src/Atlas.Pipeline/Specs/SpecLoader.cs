using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atlas.Pipeline.Specs;

/// <summary>
/// Reads an experiment spec and rejects anything wrong with it, every problem at once, each as
/// <c>file:line:column: field.path: what is wrong</c>.
/// </summary>
public static class SpecLoader
{
    /// <summary>Loads and validates the spec at <paramref name="path"/>.</summary>
    /// <exception cref="SpecException">The spec is malformed or invalid; the message lists every problem.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static ExperimentSpec Load(string path, SpecContext context)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: spec file not found", path);
        return Parse(File.ReadAllText(path), path, context);
    }

    /// <summary>Validates spec text; <paramref name="file"/> is the name errors are reported under.</summary>
    /// <exception cref="SpecException">The spec is malformed or invalid; the message lists every problem.</exception>
    public static ExperimentSpec Parse(string yaml, string file, SpecContext context)
    {
        // Syntax before shape before meaning: each stage needs the previous one to have passed.
        var document = ReadDocument(yaml, file);
        ThrowIfAny(SpecShapeCheck.Run(document));
        ExperimentSpec spec;
        try
        {
            spec = SpecYaml.Deserializer.Deserialize<ExperimentSpec>(yaml);
        }
        catch (YamlException e)
        {
            throw new SpecException([YamlEventScan.ToSpecError(e, yaml, file)]);
        }
        ThrowIfAny(SpecValidator.Run(spec, context, document));
        return spec;
    }

    private static SpecDocument ReadDocument(string yaml, string file)
    {
        ThrowIfAny(YamlEventScan.Problems(yaml, file));
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SpecException([YamlEventScan.ToSpecError(e, yaml, file)]);
        }
        if (stream.Documents.Count == 0)
            throw new SpecException([new SpecError(file, 1, 1, FieldPath.Root.ToString(), "the file holds no YAML document")]);
        if (stream.Documents.Count > 1)
        {
            var extra = stream.Documents[1].RootNode.Start;
            throw new SpecException([new SpecError(file, (int)extra.Line, (int)extra.Column, FieldPath.Root.ToString(), "only one YAML document is allowed")]);
        }
        return new SpecDocument(file, stream.Documents[0].RootNode);
    }

    private static void ThrowIfAny(List<SpecError> errors)
    {
        if (errors.Count > 0) throw new SpecException(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
    }
}
