using Atlas.Data;
using Atlas.Data.Datasets;
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
    private readonly Dictionary<string, DatasetSplits> _paperSplits = new();
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

    /// <summary>The folder holding the paper's datasets (<c>data.root</c>), absolute.</summary>
    public string DataRoot => Path.GetFullPath(Absolute(Spec.Data.Root));

    /// <summary>Whether <paramref name="source"/> is one of the paper's datasets (<c>data.datasets</c>) rather than an
    /// embedded mini source.</summary>
    public bool IsPaperDataset(string source) => Spec.Data.Datasets.Contains(source);

    /// <summary>What the stages that read <paramref name="tasks"/>' images depend on beyond the mini's splits: the record
    /// and validation index file of each paper dataset among their sources (none in the mini profile).</summary>
    public IReadOnlyList<string> PaperDataFiles(IEnumerable<string> tasks) =>
    [
        .. tasks.Select(t => Task(t).Source).Where(IsPaperDataset).Distinct()
            .SelectMany(d => new PaperDataStage(d).Outputs(this)),
    ];

    /// <summary>The dataset a spec spells <paramref name="name"/> (the spec check has accepted the name).</summary>
    public static PaperDataset PaperDataset(string name) =>
        DatasetText.FromName(name) ?? throw new ArgumentException($"'{name}' is not one of the paper's datasets", nameof(name));

    /// <summary>
    /// A paper dataset as its reader finds it under <see cref="DataRoot"/>, read once per process, checked against what
    /// its <c>dataset/NAME</c> stage recorded: a folder changed since (images added, removed or relabelled) stops the
    /// stage instead of silently training on other samples.
    /// </summary>
    public DatasetSplits PaperSplits(string dataset)
    {
        if (_paperSplits.TryGetValue(dataset, out var cached)) return cached;
        var splits = PaperDatasetReaders.For(PaperDataset(dataset)).Read(DataRoot);
        var record = PaperDataStage.Read(this, dataset);
        string digest = DatasetDigest.Of(splits, DataRoot);
        if (digest != record.Digest)
        {
            throw new InvalidDataException(
                $"{dataset} under {DataRoot} is not what stage {StageIds.Dataset(dataset)} read (sample-list digest {digest[..12]}… vs " +
                $"{record.Digest[..12]}… in {Layout.StageFile(StageIds.Dataset(dataset), PaperDataStage.RecordFile)}): the folder changed; " +
                $"rerun that stage (--force) to use the data as it is now");
        }
        _paperSplits[dataset] = splits;
        return splits;
    }

    /// <summary>The images and task labels of one partition (<c>train</c>, <c>val</c>, <c>test</c>) of a task: the mini
    /// source's images in memory, or a paper dataset's read from its files batch by batch.</summary>
    public ILabelledImageSet TaskData(TaskSpec task, string partition)
    {
        var labelMap = task.LabelMap?.Select((target, label) => (label, target)).ToDictionary(p => (long)p.label, p => (long)p.target);
        if (IsPaperDataset(task.Source))
        {
            var samples = PaperSplits(task.Source).Part(partition switch
            {
                SourceSplit.Train => DatasetPart.Train,
                SourceSplit.Val => DatasetPart.Validation,
                SourceSplit.Test => DatasetPart.Test,
                _ => throw new ArgumentException($"a paper dataset has no '{partition}' partition", nameof(partition)),
            });
            long[] labels = [.. samples.Select(s => labelMap is null ? s.Label : labelMap[s.Label])];
            return new FileImageSet(samples, labels, Config.Vision.ImageSize, task.Transform, DecodingThreads);
        }
        var source = Source(task.Source);
        return TaskViewBuilder.Build(source, Split(task.Source).Indices(partition), task.Transform, labelMap);
    }

    // Decoding runs beside the model's intra-op threads; the results do not depend on the count (SampleRandom).
    private static int DecodingThreads => Environment.ProcessorCount;

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
