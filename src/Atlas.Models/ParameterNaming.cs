namespace Atlas.Models;

/// <summary>Which naming a CLIP checkpoint's tensors use.</summary>
public enum ParameterNaming
{
    /// <summary>open_clip's state-dict names, which are the project's names (<see cref="ClipParameterNames"/>).</summary>
    OpenClip,

    /// <summary>Hugging Face <c>CLIPModel</c> names (split q/k/v, <c>[out, in]</c> projections).</summary>
    HuggingFace,
}

/// <summary>How one project tensor becomes its Hugging Face tensor(s).</summary>
public enum NameMapKind
{
    /// <summary>Same values, renamed.</summary>
    Same,

    /// <summary>open_clip stores <c>x @ proj</c> as <c>[width, embed]</c>; Hugging Face's <c>nn.Linear</c> stores <c>[embed, width]</c>.</summary>
    Transpose,

    /// <summary>open_clip's fused <c>in_proj</c> rows 0:W, W:2W, 2W:3W are Hugging Face's q, k and v projections.</summary>
    FusedQkv,
}

/// <summary>One project parameter and the Hugging Face tensor(s) that hold it.</summary>
/// <param name="ProjectName">open_clip / project name.</param>
/// <param name="ProjectShape">Its shape under the configuration.</param>
/// <param name="Kind">How values move between the namings.</param>
/// <param name="HuggingFaceNames">One name, or q, k, v for <see cref="NameMapKind.FusedQkv"/>.</param>
public sealed record NameMapEntry(string ProjectName, long[] ProjectShape, NameMapKind Kind, IReadOnlyList<string> HuggingFaceNames)
{
    /// <summary>Shape of each Hugging Face tensor.</summary>
    public long[] HuggingFaceShape => Kind switch
    {
        NameMapKind.Transpose => [.. ProjectShape.Reverse()],
        NameMapKind.FusedQkv => [ProjectShape[0] / 3, .. ProjectShape.Skip(1)],
        _ => ProjectShape,
    };
}
