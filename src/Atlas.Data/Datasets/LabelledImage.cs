using Atlas.Data.Images;

namespace Atlas.Data.Datasets;

/// <summary>One sample of a dataset: where its image is and its class (an index into the dataset's class names).</summary>
public sealed record LabelledImage(ImageRef Image, int Label);
