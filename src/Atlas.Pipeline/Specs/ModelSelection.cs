using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>Which model a training run keeps.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum ModelSelection
{
    /// <summary>The epoch with the best accuracy on the labelled validation split (the starting point included).</summary>
    Validation,

    /// <summary>The last step: no label beyond the training images is used.</summary>
    Last,
}
