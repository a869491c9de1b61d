using System.Text.Json.Serialization;

namespace Atlas.Pipeline.Specs;

/// <summary>The learning-rate shape after the linear warm-up.</summary>
[JsonConverter(typeof(SpecNameJsonConverter))]
public enum ScheduleKind
{
    /// <summary>Half-cosine decay to 0 at the last step (the paper's fine-tuning and few-shot schedule).</summary>
    Cosine,

    /// <summary>The peak rate throughout (the paper's task addition and negation).</summary>
    Constant,
}
