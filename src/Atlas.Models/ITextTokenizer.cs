using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>Turns captions and prompts into CLIP token id rows.</summary>
public interface ITextTokenizer
{
    /// <summary>
    /// Token ids [N, <paramref name="contextLength"/>] (int64): start-of-text first, end-of-text right after the
    /// words, zero padding after it. Too-long texts are truncated so that the row still ends with end-of-text.
    /// End-of-text must be the highest id in a row, since <see cref="ClipForward.EncodeText"/> pools at the argmax.
    /// </summary>
    Tensor Encode(IReadOnlyList<string> texts, int contextLength);
}
