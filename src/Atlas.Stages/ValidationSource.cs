using System.Text.Json.Serialization;

namespace Atlas.Stages;

/// <summary>Where a paper dataset's validation split comes from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ValidationSource>))]
public enum ValidationSource
{
    /// <summary>The dataset's own validation split (EuroSAT, FGVC-Aircraft, Flowers102, Pascal VOC, Country211, UCF101).</summary>
    Dataset,

    /// <summary>The atlas code's seeded random split of the training split (seed 0, min(⌊0.1 n⌋, 5000) held out).</summary>
    SeededRandomSplit,
}
