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

    private void CheckAll()
    {
        if (!context.Backbones.Contains(spec.Backbone))
            Fail(Root.Key("backbone"), $"unknown backbone '{spec.Backbone}' (known: {string.Join(", ", context.Backbones)})");
        foreach (var source in spec.Data.Sources.Keys)
            if (!context.SourceClassCounts.ContainsKey(source))
                Fail(Root.Key("data").Key("sources").Key(source), UnknownDataset(source));
        CheckTemplates();
        if (spec.Pretrain is { } pretrain) CheckPretrain(pretrain);

        var defaults = Root.Key("finetune");
        CheckWarmup(spec.Finetune.WarmupSteps, spec.Finetune.Steps, defaults.Key("warmup_steps"), stepsOverride: null);
        CheckCropScale(spec.Finetune.CropScale, defaults.Key("crop_scale"));
        var taskIndex = new Dictionary<string, int>();
        for (int i = 0; i < spec.Tasks.Count; i++)
        {
            var task = spec.Tasks[i];
            var path = Root.Key("tasks").Index(i);
            if (!taskIndex.TryAdd(task.Name, i))
                Fail(path.Key("name"), $"duplicate task name '{task.Name}' (also tasks[{taskIndex[task.Name]}])");
            CheckTask(task, path);
        }
        if (spec.Addition is { } addition) CheckAddition(addition, Root.Key("addition"));
        if (spec.Negation is { } negation) CheckNegation(negation, Root.Key("negation"));
        if (spec.FewShot is { } fewShot) CheckFewShot(fewShot, Root.Key("few_shot"));
        if (spec.TestTime is { } testTime)
        {
            CheckTargets(testTime.Targets, Root.Key("test_time").Key("targets"));
            CheckCoefficientTraining(testTime.Learn, Root.Key("test_time").Key("learn"));
            if (testTime.Learn.Regularizer is not null && testTime.Objectives.Contains(TestTimeObjective.Sar))
                Fail(Root.Key("test_time").Key("learn").Key("regularizer"), "SAR's sharpness-aware update has no penalty term; drop the regularizer or the sar objective");
        }
        if (spec.BlockSelection is { } blockSelection) CheckBlockSelection(blockSelection, Root.Key("block_selection"));
        if (spec.Peft is { } peft) CheckPeft(peft, Root.Key("peft"));
    }

    private void CheckBlockSelection(BlockSelectionSpec selection, FieldPath path)
    {
        CheckTargets(selection.Targets, path.Key("targets"));
        CheckDistinct(selection.Strategies, path.Key("strategies"), "strategy");
        int poolSize = spec.Tasks.Count - 1;
        for (int i = 0; i < selection.Budgets.Count; i++)
        {
            int budget = selection.Budgets[i];
            if (i > 0 && budget <= selection.Budgets[i - 1])
                Fail(path.Key("budgets").Index(i), $"budgets must be ascending, got {budget} after {selection.Budgets[i - 1]}");
            else if (budget >= poolSize)
                Fail(path.Key("budgets").Index(i), $"a budget must be less than the {poolSize} task vectors of a target's pool (the full pool is always run), got {budget}");
        }
        CheckCoefficientTraining(selection.Learn, path.Key("learn"));
    }

    private void CheckPeft(PeftSpec peft, FieldPath path)
    {
        CheckTargets(peft.Targets, path.Key("targets"));
        CheckDistinct(peft.Methods, path.Key("methods"), "method");
        for (int i = 0; i < peft.Atlas.Partitions.Count; i++)
            if (peft.Atlas.Partitions.IndexOf(peft.Atlas.Partitions[i]) < i)
                Fail(path.Key("atlas").Key("partitions").Index(i), $"K = {peft.Atlas.Partitions[i]} is listed twice");
        for (int i = 1; i < peft.Fractions.Count; i++)
            if (peft.Fractions[i] <= peft.Fractions[i - 1])
                Fail(path.Key("fractions").Index(i), FormattableString.Invariant($"fractions must be ascending, got {peft.Fractions[i]} after {peft.Fractions[i - 1]}"));
        if (peft.Methods.Contains(PeftMethod.Atlas) && spec.Tasks.Count < 2)
            Fail(path.Key("methods"), "aTLAS needs at least one other task's vector; the spec has one task");
        CheckCropScale(peft.CropScale, path.Key("crop_scale"));
    }

    private void CheckDistinct<T>(List<T> values, FieldPath path, string what) where T : struct, Enum
    {
        for (int i = 0; i < values.Count; i++)
            if (values.IndexOf(values[i]) < i) Fail(path.Index(i), $"{what} '{SpecNames.Of(values[i])}' is listed twice");
    }

    private void CheckTargets(List<string> targets, FieldPath path)
    {
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets.IndexOf(targets[i]) < i) Fail(path.Index(i), $"target '{targets[i]}' is listed twice");
            else CheckTaskReference(targets[i], path.Index(i));
        }
    }

    private void CheckFewShot(FewShotSpec fewShot, FieldPath path)
    {
        CheckTargets(fewShot.Targets, path.Key("targets"));
        if (spec.Tasks.Count < 2) Fail(path, "few-shot aTLAS needs at least one other task's vector; the spec has one task");
        for (int i = 0; i < fewShot.Shots.Count; i++)
            if (fewShot.Shots.IndexOf(fewShot.Shots[i]) < i) Fail(path.Key("shots").Index(i), $"shot count {fewShot.Shots[i]} is listed twice");
        CheckCoefficientTraining(fewShot.Learn, path.Key("learn"));
    }

    private void CheckAddition(AdditionSpec addition, FieldPath path)
    {
        CheckDistinct(addition.Methods, path.Key("methods"), "method");
        var tasks = addition.Tasks ?? [];
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks.IndexOf(tasks[i]) < i) Fail(path.Key("tasks").Index(i), $"task '{tasks[i]}' is listed twice");
            else CheckTaskReference(tasks[i], path.Key("tasks").Index(i));
        }
        if (addition.Tasks is null && spec.Tasks.Count < 2)
            Fail(path, $"task addition needs at least two tasks; the spec has {spec.Tasks.Count}");
        CheckCoefficientTraining(addition.Learn, path.Key("learn"));
        CheckGrid(addition.AlphaGrid, path.Key("alpha_grid"));
        CheckGrid(addition.Ties.Grid, path.Key("ties").Key("grid"));
    }

    private void CheckNegation(NegationSpec negation, FieldPath path)
    {
        for (int i = 0; i < negation.Targets.Count; i++)
        {
            var target = negation.Targets[i];
            var targetPath = path.Key("targets").Index(i);
            int first = negation.Targets.FindIndex(t => t.Task == target.Task);
            if (first < i) Fail(targetPath.Key("task"), $"target '{target.Task}' is listed twice (also targets[{first}])");
            CheckTaskReference(target.Task, targetPath.Key("task"));
            CheckTaskReference(target.Control, targetPath.Key("control"));
            if (target.Control == target.Task) Fail(targetPath.Key("control"), "the control task must differ from the target");
        }
        CheckCoefficientTraining(negation.Learn, path.Key("learn"));
        CheckGrid(negation.AlphaGrid, path.Key("alpha_grid"));
    }

    private void CheckTaskReference(string task, FieldPath path)
    {
        if (!spec.Tasks.Any(t => t.Name == task))
            Fail(path, $"unknown task '{task}' (known: {string.Join(", ", spec.Tasks.Select(t => t.Name))})");
    }

    private void CheckCoefficientTraining(CoefficientTraining learn, FieldPath path) => CheckCropScale(learn.CropScale, path.Key("crop_scale"));

    private void CheckGrid(ScalingGridSpec grid, FieldPath path)
    {
        if (grid.Start > grid.Stop) Fail(path, FormattableString.Invariant($"start {grid.Start} is larger than stop {grid.Stop}"));
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
            else if (!spec.Data.Sources.TryGetValue(source, out var sizes)) Fail(sourcePath, NotInData(source));
            else if (sizes.Pretrain <= 0) Fail(sourcePath, $"source '{source}' has no pretraining images (data.sources.{source}.pretrain is {sizes.Pretrain})");
        }
        CheckTemplateSet(pretrain.Templates, path.Key("templates"));
        CheckWarmup(pretrain.WarmupSteps, pretrain.Steps, path.Key("warmup_steps"), stepsOverride: null);
    }

    private void CheckTask(TaskSpec task, FieldPath path)
    {
        if (!context.SourceClassCounts.TryGetValue(task.Source, out int sourceClasses))
            Fail(path.Key("source"), UnknownDataset(task.Source));
        else if (!spec.Data.Sources.ContainsKey(task.Source))
            Fail(path.Key("source"), NotInData(task.Source));
        else
            CheckLabels(task, path, sourceClasses);

        if (!context.Transforms.Contains(task.Transform))
            Fail(path.Key("transform"), $"unknown transform '{task.Transform}' (known: {string.Join(", ", context.Transforms)})");
        CheckTemplateSet(task.Templates, path.Key("templates"));
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
    }

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
        if (!spec.Templates.ContainsKey(name))
            Fail(path, $"unknown template set '{name}' (known: {string.Join(", ", spec.Templates.Keys)})");
    }

    /// <summary>Blames the steps override when only it makes the recipe invalid, the warm-up otherwise.</summary>
    private void CheckWarmup(int warmupSteps, int steps, FieldPath warmupPath, FieldPath? stepsOverride)
    {
        if (warmupSteps < steps) return;
        if (stepsOverride is null) Fail(warmupPath, $"must be less than steps ({steps}), got {warmupSteps}");
        else Fail(stepsOverride, $"must be greater than warmup_steps ({warmupSteps}), got {steps}");
    }

    private void CheckCropScale(List<double> cropScale, FieldPath path)
    {
        if (cropScale[0] > cropScale[1]) Fail(path, FormattableString.Invariant($"min {cropScale[0]} is larger than max {cropScale[1]}"));
    }

    private string UnknownDataset(string name) =>
        $"unknown dataset '{name}' (known: {string.Join(", ", context.SourceClassCounts.Keys)})";

    private static string NotInData(string source) => $"source '{source}' is not listed under data.sources";

    private void Fail(FieldPath path, string problem)
    {
        var error = document.Error(path, problem);
        if (reported.Add(error.ToString())) errors.Add(error);
    }
}
