using System.ComponentModel.DataAnnotations;

namespace Atlas.Pipeline.Specs;

// The validation attributes below are checked by SpecLoader (with the offending line and column) and exported to the
// JSON Schema by SpecSchema, so editors flag the same mistakes. Cross-field rules live in SpecValidator.

/// <summary>
/// One experiment, as written in <c>experiments/*.yaml</c> (snake_case keys). Every stage of the graph reads its
/// parameters from here; the resolved form (defaults filled in) is written beside the results.
/// </summary>
public sealed record ExperimentSpec
{
    /// <summary>Experiment name; also the folder under <c>artifacts/</c>.</summary>
    [RegularExpression(SpecPatterns.SafeName, ErrorMessage = SpecPatterns.SafeNameRule)]
    public required string Name { get; init; }

    /// <summary>Master seed; every stage derives its own seed from it and its stage id.</summary>
    [Range(0, int.MaxValue)]
    public required int Seed { get; init; }

    /// <summary>Intra-op thread count. Results are bit-identical only for the same count.</summary>
    [Range(1, int.MaxValue)]
    public int Threads { get; init; } = 2;

    /// <summary>Where models and tensors live while stages run: <c>cpu</c> or <c>cuda</c> (needs a CUDA build:
    /// <c>dotnet build -p:TorchBackend=cuda</c>). Saved results are always brought back to the CPU.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Backbone configuration: a built-in name (<c>mini</c>, <c>ViT-B-32</c>, <c>ViT-B-16</c>, <c>ViT-L-14</c>) or the
    /// path (ending in <c>.json</c> or holding a <c>/</c>; relative to the repository root) of an open_clip model-config
    /// JSON or a Hugging Face <c>config.json</c>, whose content then joins every stage's lock parameters.</summary>
    public required string Backbone { get; init; }

    /// <summary>Pretrained weights to use instead of the <c>pretrain</c> section: a safetensors file (as <c>atlas convert</c>
    /// writes it; relative to the repository root) holding the whole CLIP of the backbone. The <c>import/pretrained</c>
    /// stage checks it and its SHA-256 is in that stage's lock.</summary>
    public string? PretrainedCheckpoint { get; init; }

    /// <summary>CLIP's tokenizer files for the text tower (zero-shot heads, pretraining captions): a folder holding
    /// <c>vocab.json</c> + <c>merges.txt</c> (a Hugging Face model folder) or open_clip's
    /// <c>bpe_simple_vocab_16e6.txt.gz</c>, or one of those files; relative to the repository root. Required by a backbone
    /// whose text tower takes CLIP's 49,408 ids; absent, the mini profile's word-hashing tokenizer is used. The files are
    /// inputs of the stages that tokenise, so replacing them reruns those stages.</summary>
    public string? TokenizerVocabulary { get; init; }

    /// <summary>Where the source datasets live and how each is partitioned.</summary>
    public required DataSpec Data { get; init; }

    /// <summary>Contrastive pretraining of the mini backbone; absent for profiles that load pretrained weights.</summary>
    public PretrainSpec? Pretrain { get; init; }

    /// <summary>Named prompt-template sets; <c>{c}</c> is replaced by a class name. A paper dataset listed under
    /// <c>data.datasets</c> brings a set of its own name (the paper's templates) unless one is defined here.</summary>
    public Dictionary<string, List<string>> Templates { get; init; } = new();

    /// <summary>The classification tasks; each gets a zero-shot head, a fine-tuned model and a task vector.</summary>
    public required List<TaskSpec> Tasks { get; init; }

    /// <summary>Default fine-tuning hyper-parameters; a task may override any of them.</summary>
    public required TrainSpec Finetune { get; init; }

    /// <summary>Evaluation settings.</summary>
    public EvaluateSpec Evaluate { get; init; } = new();

    /// <summary>Task addition with learned coefficients and its baselines; absent means not run.</summary>
    public AdditionSpec? Addition { get; init; }

    /// <summary>Task negation with learned coefficients and its baseline; absent means not run.</summary>
    public NegationSpec? Negation { get; init; }

    /// <summary>Few-shot recognition with aTLAS, adapters and baselines; absent means not run.</summary>
    public FewShotSpec? FewShot { get; init; }

    /// <summary>Test-time adaptation of Λ on unlabelled test data; absent means not run.</summary>
    public TestTimeSpec? TestTime { get; init; }

    /// <summary>aTLAS under a memory budget: gradient-ranked selection of n task vectors' blocks; absent means not run.</summary>
    public BlockSelectionSpec? BlockSelection { get; init; }

    /// <summary>The PEFT comparison of aTLAS × K, LoRA and full fine-tuning over data fractions; absent means not run.</summary>
    public PeftSpec? Peft { get; init; }

    /// <summary>Comparison of the recomputed tables with approved ones; absent means nothing is verified.</summary>
    public VerifySpec? Verify { get; init; }

    /// <summary>Each stage's batch-job resources when the graph runs on a Slurm cluster (<c>--executor=slurm</c>);
    /// absent, every job gets the built-in defaults. Ignored by local runs and absent from the lock records.</summary>
    public SlurmSpec? Slurm { get; init; }
}

/// <summary>Where the data lives and how each source is partitioned.</summary>
public sealed record DataSpec
{
    /// <summary>Folder holding the source files, relative to the repository root (or absolute); may be written with an
    /// environment variable, e.g. <c>${ATLAS_DATA}</c>.</summary>
    public required string Root { get; init; }

    /// <summary>The mini profile's embedded sources and their partition sizes (e.g. <c>mnist</c>, <c>fashion_mnist</c>,
    /// <c>optdigits</c>); none for the paper profile.</summary>
    public Dictionary<string, SplitSizes> Sources { get; init; } = new();

    /// <summary>The paper's datasets read from <c>root</c> in the layouts the atlas code expects (e.g. <c>cars</c>,
    /// <c>sun397</c>; see docs/datasets.md), with their own train/validation/test splits; none for the mini profile. A
    /// name may not also be a key of <c>sources</c>, and at least one of the two lists is non-empty. Before any stage
    /// runs, each dataset's folder is checked against its expected layout.</summary>
    public List<string> Datasets { get; init; } = [];
}

/// <summary>Disjoint partition sizes of one source; <c>pretrain</c> images are never seen by any task.</summary>
public sealed record SplitSizes
{
    /// <summary>Images reserved for contrastive pretraining (0 when the source is held out of it).</summary>
    [Range(0, int.MaxValue)]
    public int Pretrain { get; init; }

    /// <summary>Images for fine-tuning.</summary>
    [Range(1, int.MaxValue)]
    public required int Train { get; init; }

    /// <summary>Images for validation (model selection, aTLAS coefficient learning).</summary>
    [Range(1, int.MaxValue)]
    public required int Val { get; init; }

    /// <summary>Images for the reported accuracies.</summary>
    [Range(1, int.MaxValue)]
    public required int Test { get; init; }
}

/// <summary>Contrastive image–caption pretraining that plays the role of pretrained CLIP in the mini profile.</summary>
public sealed record PretrainSpec
{
    /// <summary>Sources whose <c>pretrain</c> partitions provide the images.</summary>
    [MinLength(1)]
    public required List<string> Sources { get; init; }

    /// <summary>Template set used to caption each image with its source class name.</summary>
    public required string Templates { get; init; }

    /// <summary>Optimizer steps.</summary>
    [Range(1, int.MaxValue)]
    public required int Steps { get; init; }

    /// <summary>Image–caption pairs per step.</summary>
    [Range(1, int.MaxValue)]
    public required int Batch { get; init; }

    /// <summary>Peak AdamW learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public required double Lr { get; init; }

    /// <summary>AdamW decoupled weight decay.</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Linear warm-up steps before the cosine decay; fewer than <c>steps</c>.</summary>
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; init; }

    /// <summary>Largest global gradient L2 norm.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;
}

/// <summary>One classification task: a view of a source dataset with its own classes and zero-shot head.</summary>
public sealed record TaskSpec
{
    /// <summary>Task name; also its stage ids (<c>finetune/NAME</c>) and artifact folders.</summary>
    [RegularExpression(SpecPatterns.SafeName, ErrorMessage = SpecPatterns.SafeNameRule)]
    public required string Name { get; init; }

    /// <summary>Source dataset name: a mini source listed under <c>data.sources</c> or a paper dataset listed under
    /// <c>data.datasets</c>.</summary>
    public required string Source { get; init; }

    /// <summary>Image transform applied to every split: <c>none</c>, <c>invert</c>, <c>rotate90</c>, <c>rotate180</c>.</summary>
    public string Transform { get; init; } = "none";

    /// <summary>Maps each source label to a task class index; absent means identity.</summary>
    public List<int>? LabelMap { get; init; }

    /// <summary>Class names in task-label order, used to build the zero-shot head. Required on a mini source; on a
    /// paper dataset it defaults to the dataset's class names (the loaded spec holds them).</summary>
    [MinLength(1)]
    public List<string> Classes { get; init; } = [];

    /// <summary>Name of the template set in <see cref="ExperimentSpec.Templates"/>. Required on a mini source; on a
    /// paper dataset it defaults to the dataset's name, a set that holds the paper's templates for it unless
    /// <c>templates</c> defines a set of that name (the loaded spec holds the set).</summary>
    public string Templates { get; init; } = "";

    /// <summary>Per-task overrides of <see cref="ExperimentSpec.Finetune"/>; unset fields inherit.</summary>
    public TrainOverrides? Finetune { get; init; }

    /// <summary>Fine-tuned weights to use instead of fine-tuning: a safetensors file of the backbone's CLIP or image
    /// encoder (relative to the repository root); its image tower replaces the <c>finetune</c> stage's output.</summary>
    public string? FinetunedCheckpoint { get; init; }

    /// <summary>A task vector to use instead of fine-tuning: a safetensors file of one delta per image-tower parameter
    /// (relative to the repository root), replacing the task's <c>finetune</c> and <c>taskvector</c> stages.</summary>
    public string? TaskVectorFile { get; init; }
}

/// <summary>Fine-tuning recipe (the paper's: AdamW, linear warm-up then cosine, grad-norm clip).</summary>
public sealed record TrainSpec
{
    /// <summary>Peak AdamW learning rate.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public required double Lr { get; init; }

    /// <summary>AdamW decoupled weight decay.</summary>
    [Range(0d, double.PositiveInfinity)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Images per step.</summary>
    [Range(1, int.MaxValue)]
    public required int Batch { get; init; }

    /// <summary>Optimizer steps.</summary>
    [Range(1, int.MaxValue)]
    public required int Steps { get; init; }

    /// <summary>Linear warm-up steps before the schedule; fewer than <c>steps</c>.</summary>
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; init; }

    /// <summary>The rate after warm-up: <c>cosine</c> or <c>constant</c>.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Largest global gradient L2 norm; larger gradients are scaled down to it.</summary>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Random-resized-crop scale range <c>[min, max]</c> of the training augmentation (paper: 0.9–1).</summary>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double> CropScale { get; init; } = [0.9, 1.0];

    /// <summary>Micro-batches whose gradients one optimiser step sums, each of <c>batch</c>/k images with its loss
    /// scaled by 1/k (the paper's ViT-L/14: batch 128 as 2 × 64). 1 runs the whole batch at once; <c>batch</c> must be
    /// a multiple of it.</summary>
    [Range(1, int.MaxValue), OmittedFromLockAtDefault]
    public int GradientAccumulation { get; init; } = 1;
}

/// <summary>Optional per-task replacements for fields of <see cref="TrainSpec"/>.</summary>
public sealed record TrainOverrides
{
    /// <inheritdoc cref="TrainSpec.Lr"/>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double? Lr { get; init; }

    /// <inheritdoc cref="TrainSpec.WeightDecay"/>
    [Range(0d, double.PositiveInfinity)]
    public double? WeightDecay { get; init; }

    /// <inheritdoc cref="TrainSpec.Batch"/>
    [Range(1, int.MaxValue)]
    public int? Batch { get; init; }

    /// <inheritdoc cref="TrainSpec.Steps"/>
    [Range(1, int.MaxValue)]
    public int? Steps { get; init; }

    /// <inheritdoc cref="TrainSpec.WarmupSteps"/>
    [Range(0, int.MaxValue)]
    public int? WarmupSteps { get; init; }

    /// <inheritdoc cref="TrainSpec.Schedule"/>
    public ScheduleKind? Schedule { get; init; }

    /// <inheritdoc cref="TrainSpec.GradClip"/>
    [Range(0d, double.PositiveInfinity, MinimumIsExclusive = true)]
    public double? GradClip { get; init; }

    /// <inheritdoc cref="TrainSpec.CropScale"/>
    [Length(2, 2), Range(0d, 1d, MinimumIsExclusive = true)]
    public List<double>? CropScale { get; init; }

    /// <inheritdoc cref="TrainSpec.GradientAccumulation"/>
    [Range(1, int.MaxValue), OmittedFromLockAtDefault]
    public int? GradientAccumulation { get; init; }
}

/// <summary>How the test splits are evaluated.</summary>
public sealed record EvaluateSpec
{
    /// <summary>Images per forward pass.</summary>
    [Range(1, int.MaxValue)]
    public int Batch { get; init; } = 512;
}

/// <summary>
/// What the recomputed tables are verified against: approved tables (a previous run of this project, within a tight
/// tolerance), the paper's reported numbers, or both. At least one must be given.
/// </summary>
public sealed record VerifySpec : ISpecSection
{
    /// <summary>Folder of approved files, relative to the repository root; absent means no approved-table check.</summary>
    public string? Approved { get; init; }

    /// <summary>Allowed absolute difference (accuracy points) per column; <c>default</c> applies to the rest.</summary>
    [Range(0d, double.PositiveInfinity)]
    public Dictionary<string, double> Tolerance { get; init; } = new() { ["default"] = 1.0 };

    /// <summary>Comparison with the paper's reported numbers (the reference tables); absent means none.</summary>
    public PaperReferenceSpec? Paper { get; init; }

    void ISpecSection.Check(SpecValidator check, FieldPath path)
    {
        if (Approved is null && Paper is null)
            check.Fail(path, "nothing to verify against: give 'approved' (a folder of approved tables), 'paper', or both");
    }
}
