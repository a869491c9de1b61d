namespace Atlas.Data.Images;

/// <summary>
/// The paper's two training-time augmentations at full resolution (atlas-method.md §1.3), both followed by RGB,
/// ToTensor and CLIP's Normalize. Ratio range (3/4, 4/3) and bicubic resampling in both.
/// </summary>
public enum TrainAugmentation
{
    /// <summary>
    /// open_clip 2.10's <c>train_preprocess</c>: RandomResizedCrop(S, scale (0.9, 1.0)), no flip. Fine-tuning and
    /// learning the task-addition/negation coefficients.
    /// </summary>
    OpenClipResizedCrop,

    /// <summary>
    /// The Tip-Adapter-style view of learn_coef.py, learn_few_shots.py and learn_ufm.py's strong view:
    /// RandomResizedCrop(S, scale (0.5, 1.0)) then RandomHorizontalFlip(p = 0.5).
    /// </summary>
    TipResizedCropFlip,
}
