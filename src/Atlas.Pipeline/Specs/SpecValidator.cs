namespace Atlas.Pipeline.Specs;

/// <summary>
/// The rules that span fields or need the caller's context (references between sections, known datasets, transforms
/// and backbones, class counts). Per-field bounds are attributes, checked by <see cref="SpecShapeCheck"/>.
/// </summary>
internal sealed class SpecValidator
{
    private static readonly FieldPath Root = FieldPath.Root;

    private readonly ExperimentSpec spec;
    private readonly SpecContext context;
    private readonly SpecDocument document;

    // Task recipes inherit the defaults, so a default's problem would otherwise be reported once per task.
    private readonly List<SpecError> errors = [];

    // Each mini source's split per label, when the data check could read it (sections check sizes against it).
    private readonly Dictionary<string, SourcePartitionCounts> partitionCounts = [];
    private readonly HashSet<string> reported = [];

    private SpecValidator(ExperimentSpec spec, SpecContext context, SpecDocument document)
    {
        this.spec = spec;
        this.context = context;
        this.document = document;
    }

    public static List<SpecError> Run(ExperimentSpec spec, SpecContext context, SpecDocument document)
    {
        var validator = new SpecValidator(spec, context, document);
        validator.CheckAll();
        return validator.errors;
    }

    /// <summary>The caller's file check, unless only the graph is wanted (the files need not exist yet then).</summary>
    private ISpecFileCheck? Files => context.Level == SpecCheckLevel.Complete ? context.Files : null;

    /// <summary>The spec being checked: sections read the tasks and other sections from it.</summary>
    internal ExperimentSpec Spec => spec;

    /// <summary>Per class of task <paramref name="taskName"/>, its images in one partition of its source's split
    /// (<paramref name="partition"/> picks it), after the task's label map; null when the data was not read (a paper
    /// dataset, a plan, a source whose split is already reported).</summary>
    internal int[]? TaskClassImages(string taskName, Func<SourcePartitionCounts, int[]> partition)
    {
        var task = spec.Tasks.FirstOrDefault(t => t.Name == taskName);
        if (task is null || !partitionCounts.TryGetValue(task.Source, out var counts)) return null;
        var perLabel = partition(counts);
        if (task.LabelMap is null) return perLabel;
        var perClass = new int[task.Classes.Count];
        for (int label = 0; label < perLabel.Length && label < task.LabelMap.Count; label++)
        {
            int taskClass = task.LabelMap[label]; // out-of-range entries are reported by the task's own check
            if (taskClass >= 0 && taskClass < perClass.Length) perClass[taskClass] += perLabel[label];
        }
        return perClass;
    }

    /// <summary>Fails each shot count of <paramref name="shots"/> that some class of a target's train split cannot
    /// supply (the few-shot sets are drawn from it, per class), naming the class.</summary>
    internal void CheckShots(IReadOnlyList<string> targets, IReadOnlyList<int> shots, Func<int, FieldPath> shotPath)
    {
        foreach (var target in targets)
        {
            if (TaskClassImages(target, c => c.Train) is not { } perClass) continue;
            var task = spec.Tasks.First(t => t.Name == target);
            int fewest = perClass.Min(), index = Array.IndexOf(perClass, fewest);
            string name = index < task.Classes.Count ? task.Classes[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < shots.Count; i++)
                if (shots[i] > fewest)
                    Fail(shotPath(i), $"{shots[i]} shots per class, but target '{target}' has {fewest} training image(s) of class '{name}' in its train split "
                                      + $"(data.sources.{task.Source}.train); use at most {fewest} shots or a larger train split");
        }
    }

    /// <summary>What the caller can provide (sections check names against it).</summary>
    internal SpecContext Context => context;

    private void CheckAll()
    {
        bool backboneValid = CheckBackbone();
        CheckPretrainedWeights(backboneValid);
        if (backboneValid && Files?.TokenizerProblem(spec.TokenizerVocabulary, spec.Backbone) is { } tokenizerProblem)
            Fail(Root.Key(spec.TokenizerVocabulary is null ? "backbone" : "tokenizer_vocabulary"), tokenizerProblem);
        // Planning runs nothing, so a GPU spec can be planned on a machine without one (the paper profile's specs here).
        if (spec.Device == ComputeDevice.Cuda && context.Level == SpecCheckLevel.Complete && context.CudaAvailable?.Invoke() != true)
            Fail(Root.Key("device"), CudaMissing);
        CheckData();
        CheckTemplates();
        if (spec.Pretrain is { } pretrain) CheckPretrain(pretrain);

        var defaults = Root.Key("finetune");
        CheckWarmup(spec.Finetune.WarmupSteps, spec.Finetune.Steps, defaults.Key("warmup_steps"), stepsOverride: null);
        CheckCropScale(spec.Finetune.CropScale, defaults.Key("crop_scale"));
        CheckAccumulation(spec.Finetune, defaults.Key("gradient_accumulation"), batchOverride: null);
        var taskIndex = new Dictionary<string, int>();
        for (int i = 0; i < spec.Tasks.Count; i++)
        {
            var task = spec.Tasks[i];
            var path = Root.Key("tasks").Index(i);
            if (!taskIndex.TryAdd(task.Name, i))
                Fail(path.Key("name"), $"duplicate task name '{task.Name}' (also tasks[{taskIndex[task.Name]}])");
            CheckTask(task, path);
            CheckTaskImports(task, path, backboneValid);
        }
        // Experiment sections carry their own cross-field rules, so a new section needs no edit here.
        foreach (var field in SpecShape.Root.Fields)
            if (field.Property.GetValue(spec) is ISpecSection section) section.Check(this, Root.Key(field.Key));
    }

    internal void CheckDistinct<T>(List<T> values, FieldPath path, string what) where T : struct, Enum
    {
        for (int i = 0; i < values.Count; i++)
            if (values.IndexOf(values[i]) < i) Fail(path.Index(i), $"{what} '{SpecNames.Of(values[i])}' is listed twice");
    }

    internal void CheckTargets(List<string> targets, FieldPath path)
    {
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets.IndexOf(targets[i]) < i) Fail(path.Index(i), $"target '{targets[i]}' is listed twice");
            else CheckTaskReference(targets[i], path.Index(i));
        }
    }

    internal void CheckTaskReference(string task, FieldPath path)
    {
        if (!spec.Tasks.Any(t => t.Name == task))
            Fail(path, $"unknown task '{task}' (known: {string.Join(", ", spec.Tasks.Select(t => t.Name))})");
    }

    internal void CheckCoefficientTraining(CoefficientTraining learn, FieldPath path)
    {
        CheckCropScale(learn.CropScale, path.Key("crop_scale"));
        if (learn.Batch % learn.GradientAccumulation != 0)
            Fail(path.Key("gradient_accumulation"), AccumulationProblem(learn.Batch, learn.GradientAccumulation));
    }

    internal void CheckGrid(ScalingGridSpec grid, FieldPath path)
    {
        if (grid.Start > grid.Stop) Fail(path, FormattableString.Invariant($"start {grid.Start} is larger than stop {grid.Stop}"));
    }

    /// <summary>A built-in name, or a model-configuration file the caller's file check can read. Returns whether
    /// checkpoints can be checked against it.</summary>
    private bool CheckBackbone()
    {
        var path = Root.Key("backbone");
        if (context.Backbones.Contains(spec.Backbone)) return true;
        if (BackboneReference.IsFile(spec.Backbone))
        {
            if (Files?.ModelConfigProblem(spec.Backbone) is not { } problem) return true;
            Fail(path, problem);
            return false;
        }
        var hint = NameSuggestion.Closest(spec.Backbone, context.Backbones) is { } suggestion ? $"; did you mean '{suggestion}'?" : "";
        Fail(path, $"unknown backbone '{spec.Backbone}' (known: {string.Join(", ", context.Backbones)}){hint}");
        return false;
    }

    /// <summary>Exactly one source of pretrained weights: the <c>pretrain</c> section or an imported checkpoint.</summary>
    private void CheckPretrainedWeights(bool backboneValid)
    {
        var path = Root.Key("pretrained_checkpoint");
        if (spec.PretrainedCheckpoint is not { } file)
        {
            if (spec.Pretrain is null)
                Fail(Root, "no pretrained weights: add a pretrain section or name a file in pretrained_checkpoint");
            return;
        }
        if (spec.Pretrain is not null)
            Fail(path, "the pretrain section makes the pretrained weights too; keep one of the two");
        else CheckImportedFile(file, ImportedFileKind.Pretrained, path, backboneValid);
    }

    private void CheckTaskImports(TaskSpec task, FieldPath path, bool backboneValid)
    {
        if (task is { FinetunedCheckpoint: not null, TaskVectorFile: not null })
            Fail(path.Key("task_vector_file"), "a task imports a fine-tuned checkpoint or a task vector, not both (finetuned_checkpoint is set too)");
        else if (task.FinetunedCheckpoint is { } finetuned)
            CheckImportedFile(finetuned, ImportedFileKind.FineTuned, path.Key("finetuned_checkpoint"), backboneValid);
        else if (task.TaskVectorFile is { } taskVector)
            CheckImportedFile(taskVector, ImportedFileKind.TaskVector, path.Key("task_vector_file"), backboneValid);
    }

    private void CheckImportedFile(string file, ImportedFileKind kind, FieldPath path, bool backboneValid)
    {
        if (backboneValid && Files?.CheckpointProblem(file, kind, spec.Backbone) is { } problem) Fail(path, problem);
    }

    /// <summary>Known mini sources and paper datasets, each once, and at least one of them.</summary>
    private void CheckData()
    {
        var path = Root.Key("data");
        foreach (var (source, sizes) in spec.Data.Sources)
        {
            if (!context.SourceClassCounts.ContainsKey(source))
                Fail(path.Key("sources").Key(source), UnknownDataset(source));
            else if (context.Level == SpecCheckLevel.Complete && context.Data is { } data)
            {
                if (data.SourcePartitions(spec.Data.Root, source, sizes, out var problem) is { } counts) partitionCounts[source] = counts;
                else Fail(path.Key("sources").Key(source), problem ?? "the data cannot supply this split");
            }
        }
        var datasets = spec.Data.Datasets;
        for (int i = 0; i < datasets.Count; i++)
        {
            var datasetPath = path.Key("datasets").Index(i);
            if (datasets.IndexOf(datasets[i]) < i)
                Fail(datasetPath, $"dataset '{datasets[i]}' is listed twice");
            else if (!context.PaperDatasets.ContainsKey(datasets[i]))
            {
                var hint = NameSuggestion.Closest(datasets[i], context.PaperDatasets.Keys) is { } suggestion ? $"; did you mean '{suggestion}'?" : "";
                Fail(datasetPath, $"unknown paper dataset '{datasets[i]}' (known: {string.Join(", ", context.PaperDatasets.Keys)}){hint}");
            }
            else if (spec.Data.Sources.ContainsKey(datasets[i]))
                Fail(datasetPath, $"'{datasets[i]}' is also a mini source under data.sources; a task's source must name one thing: keep one of the two");
            // Its folder in the layout its reader expects (only for a run: a plan needs no data).
            else if (context.Level == SpecCheckLevel.Complete && context.Data?.PaperDatasetProblem(spec.Data.Root, datasets[i]) is { } missing)
                Fail(datasetPath, missing);
        }
        if (spec.Data.Sources.Count == 0 && datasets.Count == 0)
            Fail(path, "no data: list mini sources under 'sources' or the paper's datasets under 'datasets'");
    }

    private void CheckTemplates()
    {
        foreach (var (name, templates) in spec.Templates)
        {
            var path = Root.Key("templates").Key(name);
            if (templates.Count == 0) Fail(path, "template set is empty");
            for (int j = 0; j < templates.Count; j++)
                if (!templates[j].Contains("{c}"))
                    Fail(path.Index(j), "template has no '{c}' placeholder for the class name");
        }
    }

    private void CheckPretrain(PretrainSpec pretrain)
    {
        var path = Root.Key("pretrain");
        for (int i = 0; i < pretrain.Sources.Count; i++)
        {
            var source = pretrain.Sources[i];
            var sourcePath = path.Key("sources").Index(i);
            if (pretrain.Sources.IndexOf(source) < i) Fail(sourcePath, $"source '{source}' is listed twice");
            else if (!spec.Data.Sources.TryGetValue(source, out var sizes))
                Fail(sourcePath, spec.Data.Datasets.Contains(source)
                    ? $"'{source}' is a paper dataset; pretraining reads only the mini sources under data.sources"
                    : NotInData(source));
            else if (sizes.Pretrain <= 0) Fail(sourcePath, $"source '{source}' has no pretraining images (data.sources.{source}.pretrain is {sizes.Pretrain})");
        }
        CheckTemplateSet(pretrain.Templates, path.Key("templates"));
        CheckWarmup(pretrain.WarmupSteps, pretrain.Steps, path.Key("warmup_steps"), stepsOverride: null);
    }

    private void CheckTask(TaskSpec task, FieldPath path)
    {
        CheckTaskSource(task, path);
        if (!context.Transforms.Contains(task.Transform))
            Fail(path.Key("transform"), $"unknown transform '{task.Transform}' (known: {string.Join(", ", context.Transforms)})");
        var templates = PaperDatasetDefaults.TemplatesOf(task, spec, context);
        if (templates.Length > 0) CheckTemplateSet(templates, path.Key("templates"));
        for (int j = 0; j < task.Classes.Count; j++)
            if (task.Classes.IndexOf(task.Classes[j]) < j)
                Fail(path.Key("classes").Index(j), $"duplicate class name '{task.Classes[j]}'");

        var overrides = task.Finetune;
        var recipe = SpecResolver.Merge(spec.Finetune, overrides);
        var overridePath = path.Key("finetune");
        CheckWarmup(
            recipe.WarmupSteps,
            recipe.Steps,
            overrides?.WarmupSteps is null ? Root.Key("finetune").Key("warmup_steps") : overridePath.Key("warmup_steps"),
            overrides is { Steps: not null, WarmupSteps: null } ? overridePath.Key("steps") : null);
        if (overrides?.CropScale is { } cropScale) CheckCropScale(cropScale, overridePath.Key("crop_scale"));
        if (overrides is { GradientAccumulation: not null } or { Batch: not null })
            CheckAccumulation(recipe,
                overrides.GradientAccumulation is null ? Root.Key("finetune").Key("gradient_accumulation") : overridePath.Key("gradient_accumulation"),
                overrides is { Batch: not null, GradientAccumulation: null } ? overridePath.Key("batch") : null);
    }

    /// <summary>The batch splits into equal micro-batches; blames the batch override when only it breaks that.</summary>
    private void CheckAccumulation(TrainSpec recipe, FieldPath accumulationPath, FieldPath? batchOverride)
    {
        if (recipe.Batch % recipe.GradientAccumulation == 0) return;
        Fail(batchOverride ?? accumulationPath, AccumulationProblem(recipe.Batch, recipe.GradientAccumulation));
    }

    private static string AccumulationProblem(int batch, int microBatches) =>
        $"batch {batch} does not split into {microBatches} equal micro-batches (gradient_accumulation must divide batch)";

    private const string CudaMissing =
        "device 'cuda' needs a CUDA build and a visible GPU, and this build has none (torch.cuda.is_available() is false): "
        + "build with 'dotnet build -c Release -p:TorchBackend=cuda' (references libtorch-cuda-12.8-linux-x64; README, "
        + "\"GPU: building with CUDA\") on a machine with an NVIDIA driver for CUDA 12.8, or set device: cpu";

    /// <summary>
    /// The source is a listed mini source (the task then names its classes and templates) or a listed paper dataset
    /// (whose class names and templates are the defaults); the labels fit the source's label count.
    /// </summary>
    private void CheckTaskSource(TaskSpec task, FieldPath path)
    {
        var sourcePath = path.Key("source");
        if (spec.Data.Sources.ContainsKey(task.Source))
        {
            if (task.Classes.Count == 0) Fail(path.Key("classes"), MiniSourceNeeds("classes", task.Source));
            if (task.Templates.Length == 0) Fail(path.Key("templates"), MiniSourceNeeds("templates", task.Source));
            if (!context.SourceClassCounts.TryGetValue(task.Source, out int sourceClasses)) Fail(sourcePath, UnknownDataset(task.Source));
            else if (task.Classes.Count > 0) CheckLabels(task, path, sourceClasses);
        }
        else if (PaperDatasetDefaults.DatasetOf(task, spec, context) is { } dataset)
            CheckLabels(task.Classes.Count > 0 ? task : task with { Classes = [.. dataset.ClassNames] }, path, dataset.ClassNames.Count);
        else if (context.PaperDatasets.ContainsKey(task.Source) && !context.SourceClassCounts.ContainsKey(task.Source))
            Fail(sourcePath, $"paper dataset '{task.Source}' is not listed under data.datasets");
        else if (context.SourceClassCounts.ContainsKey(task.Source) && !spec.Data.Datasets.Contains(task.Source))
            Fail(sourcePath, NotInData(task.Source));
        else
            Fail(sourcePath, UnknownDataset(task.Source));
    }

    private static string MiniSourceNeeds(string field, string source) =>
        $"required key is missing: a task on the mini source '{source}' names its {field} (only a paper dataset's tasks default them)";

    private void CheckLabels(TaskSpec task, FieldPath path, int sourceClasses)
    {
        if (task.LabelMap is null)
        {
            if (task.Classes.Count != sourceClasses)
                Fail(path.Key("classes"), $"{task.Classes.Count} classes, but source '{task.Source}' has {sourceClasses} labels; add a label_map to relabel them");
            return;
        }
        if (task.LabelMap.Count != sourceClasses)
            Fail(path.Key("label_map"), $"has {task.LabelMap.Count} entries, but source '{task.Source}' has {sourceClasses} labels (one entry per source label)");
        for (int j = 0; j < task.LabelMap.Count; j++)
            if (task.LabelMap[j] < 0 || task.LabelMap[j] >= task.Classes.Count)
                Fail(path.Key("label_map").Index(j), $"class index {task.LabelMap[j]} is outside 0..{task.Classes.Count - 1} (the task has {task.Classes.Count} classes)");
    }

    private void CheckTemplateSet(string name, FieldPath path)
    {
        if (PaperDatasetDefaults.TemplateSet(name, spec, context) is null)
            Fail(path, $"unknown template set '{name}' (known: {string.Join(", ", PaperDatasetDefaults.TemplateSetNames(spec, context))})");
    }

    /// <summary>Blames the steps override when only it makes the recipe invalid, the warm-up otherwise.</summary>
    private void CheckWarmup(int warmupSteps, int steps, FieldPath warmupPath, FieldPath? stepsOverride)
    {
        if (warmupSteps < steps) return;
        if (stepsOverride is null) Fail(warmupPath, $"must be less than steps ({steps}), got {warmupSteps}");
        else Fail(stepsOverride, $"must be greater than warmup_steps ({warmupSteps}), got {steps}");
    }

    internal void CheckCropScale(List<double> cropScale, FieldPath path)
    {
        if (cropScale[0] > cropScale[1]) Fail(path, FormattableString.Invariant($"min {cropScale[0]} is larger than max {cropScale[1]}"));
    }

    private string UnknownDataset(string name) =>
        $"unknown dataset '{name}' (known: {string.Join(", ", context.SourceClassCounts.Keys.Concat(context.PaperDatasets.Keys).Distinct())})";

    private static string NotInData(string source) => $"source '{source}' is not listed under data.sources";

    internal void Fail(FieldPath path, string problem)
    {
        var error = document.Error(path, problem);
        if (reported.Add(error.ToString())) errors.Add(error);
    }
}
