namespace Atlas.Pipeline.Specs;

/// <summary>
/// What a spec needs to know of one of the paper's datasets, supplied by the caller (<see cref="SpecContext.PaperDatasets"/>)
/// from the data project's embedded files: the class names its labels index, and the paper's prompt templates. A task on
/// the dataset that omits <c>classes</c> or <c>templates</c> gets these.
/// </summary>
/// <param name="ClassNames">Class names, index = label; their count is the dataset's label count.</param>
/// <param name="Templates">The paper's prompt templates for the dataset, each holding <c>{c}</c>.</param>
public sealed record PaperDatasetText(IReadOnlyList<string> ClassNames, IReadOnlyList<string> Templates);
