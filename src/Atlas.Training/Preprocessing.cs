using Atlas.Data;
using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training;

/// <summary>Maps images in [0, 1] to the backbone's input distribution (per-channel mean and std of its config).</summary>
public static class Preprocessing
{
    public static Tensor Normalize(Tensor images, ClipConfig config) =>
        ImageNormalization.Normalize(images, config.Preprocess.Mean, config.Preprocess.Std);
}
