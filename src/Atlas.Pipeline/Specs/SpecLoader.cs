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
        // ${NAME} is replaced in the node tree first, so the shape check sees the values a run uses; a value whose
        // variable is missing is reported once, for the variable, not again as a value of the wrong type.
        var variables = SpecVariables.Apply(document, context);
        var atVariables = variables.Errors.Select(e => (e.Line, e.Column)).ToHashSet();
        ThrowIfAny([.. variables.Errors, .. SpecShapeCheck.Run(document).Where(e => !atVariables.Contains((e.Line, e.Column)))]);
        if (variables.LeftUnset.Count > 0)
            context.Warn?.Invoke($"warning: {file}: environment variable{(variables.LeftUnset.Count > 1 ? "s" : "")} {string.Join(", ", variables.LeftUnset)} "
                + "not set; left literal, and the files the spec names are not checked (only planning works so)");
        ExperimentSpec spec;
        try
        {
            spec = SpecYaml.Deserializer.Deserialize<ExperimentSpec>(variables.Substituted(new Parser(new StringReader(yaml))));
        }
        catch (YamlException e)
        {
            throw new SpecException([YamlEventScan.ToSpecError(e, yaml, file)]);
        }
        ThrowIfAny(SpecValidator.Run(spec, context, document));
        return PaperDatasetDefaults.Fill(spec, context);
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
