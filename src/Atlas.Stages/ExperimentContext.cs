using Atlas.Data;
using Atlas.Models;
using System.Text.Json;
using Atlas.Pipeline.Specs;
using Atlas.Store;
using Atlas.Stages.Imports;
using Atlas.Stages.Storage;
using static TorchSharp.torch;

namespace Atlas.Stages;

/// <summary>
/// What the stages of one experiment share while a process runs: the spec, the backbone config, the artifact
/// layout, and lazily loaded data (sources and splits are read once per process).
/// </summary>
public sealed class ExperimentContext(string repositoryRoot, string specPath, ExperimentSpec spec, TextWriter log) : IDisposable
{
    private readonly Dictionary<string, ImageSource> _sources = new();
    private Dictionary<string, SourceSplit>? _splits;

    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>The spec file as given (for messages and lock records).</summary>
    public string SpecPath { get; } = specPath;

    public ExperimentSpec Spec { get; } = spec;

    /// <summary>The backbone: a built-in configuration, or the model-configuration file the spec names.</summary>
    public ClipConfig Config { get; } = SpecBackbone.Resolve(spec.Backbone, repositoryRoot);

    public ArtifactLayout Layout { get; } = new(spec.Name, ImportedWeights.Of(spec));

    public TextWriter Log { get; } = log;

    /// <summary>Where the stages put weights, heads and task vectors (<see cref="ExperimentSpec.Device"/>); data
    /// follows the weights (<see cref="DevicePlacement"/>).</summary>
    public Device Device { get; } = spec.Device switch
    {
        ComputeDevice.Cpu => CPU,
        // Not torch.CUDA, which initialises CUDA when first read: a context is also built where only lock parameters are asked.
        ComputeDevice.Cuda => new Device(TorchSharp.DeviceType.CUDA),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Device, "unknown device"),
    };

    /// <summary>CLIP's BPE over the spec's <see cref="ExperimentSpec.TokenizerVocabulary"/>, or, when it names none, the
    /// mini profile's word-hashing tokenizer (the spec check refuses that for a backbone with CLIP's text tower).</summary>
    public ITextTokenizer Tokenizer => _tokenizer ??= Spec.TokenizerVocabulary is { } vocabulary
        ? new ClipBpeTokenizer(ClipVocabulary.Load(Absolute(vocabulary)))
        : new HashingWordTokenizer(Config.Text.VocabSize);

    /// <summary>The tokenizer's files (repository-relative), inputs of every stage that tokenises; none for the mini's
    /// tokenizer, whose vocabulary is the code.</summary>
    public IReadOnlyList<string> TokenizerFiles => Spec.TokenizerVocabulary is { } vocabulary
        ? [.. ClipVocabulary.FilesOf(Absolute(vocabulary)).Select(file => Path.GetRelativePath(RepositoryRoot, file))]
        : [];

    private ITextTokenizer? _tokenizer;

    /// <summary>A repository-relative path made absolute.</summary>
    public string Absolute(string relativePath) => Path.Combine(RepositoryRoot, relativePath);

    public TaskSpec Task(string name) => Spec.Tasks.Single(t => t.Name == name);

    public ImageSource Source(string name)
    {
        if (!_sources.TryGetValue(name, out var source))
        {
            source = SourceCatalog.Load(name, Absolute(Spec.Data.Root));
            // Cached for the session's lifetime, so it must outlive the dispose scope of the stage that loaded it.
            source.Images.DetachFromDisposeScope();
            _sources[name] = source;
        }
        return source;
    }

    public SourceSplit Split(string source)
    {
        _splits ??= DataStage.ReadSplits(Absolute(Layout.Splits));
        return _splits.TryGetValue(source, out var split)
            ? split
            : throw new InvalidDataException($"{Layout.Splits}: no split for source '{source}'; rerun the data stage");
    }

    /// <summary>The images and task labels of one partition (<c>train</c>, <c>val</c>, <c>test</c>) of a task.</summary>
    public TaskView TaskData(TaskSpec task, string partition)
    {
        var source = Source(task.Source);
        var labelMap = task.LabelMap?.Select((target, label) => (label, target)).ToDictionary(p => (long)p.label, p => (long)p.target);
        return TaskViewBuilder.Build(source, Split(task.Source).Indices(partition), task.Transform, labelMap);
    }

    /// <summary>Writes a stage's JSON record atomically (indented).</summary>
    public void WriteJson<T>(string relativePath, T value) => AtomicFile.WriteJson(Absolute(relativePath), value);

    /// <summary>Reads a JSON record written by <see cref="WriteJson{T}"/>.</summary>
    public T ReadJson<T>(string relativePath) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Absolute(relativePath)))
        ?? throw new InvalidDataException($"{relativePath}: empty record");

    /// <summary>A stage's stored tensors, on <see cref="Device"/> (as read, on the CPU).</summary>
    public Dictionary<string, Tensor> LoadTensors(string relativePath) => OnDevice(SafeTensorsFile.Load(Absolute(relativePath)));

    /// <summary>Writes tensors atomically; <see cref="SafeTensorsFile.Save"/> copies any that live on a GPU to the CPU.</summary>
    public void SaveTensors(string relativePath, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensorsFile.Save(Absolute(relativePath), tensors, metadata);

    /// <summary>Tensors made on the CPU (a fresh initialisation, a file's contents) moved to <see cref="Device"/>; on the
    /// CPU the same tensors, unmoved.</summary>
    public Dictionary<string, Tensor> OnDevice(Dictionary<string, Tensor> tensors)
    {
        if (tensors.Values.All(t => DevicePlacement.IsOn(t, Device))) return tensors;
        var moved = DevicePlacement.To(tensors, Device);
        foreach (var tensor in tensors.Values) tensor.Dispose();
        return moved;
    }

    /// <summary>The pretrained image tower θ0 (the <c>visual.*</c> entries of the pretrained weights).</summary>
    public Dictionary<string, Tensor> PretrainedVisual() =>
        LoadTensors(Layout.PretrainedWeights)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary();

    public void Dispose()
    {
        foreach (var source in _sources.Values) source.Dispose();
    }
}
