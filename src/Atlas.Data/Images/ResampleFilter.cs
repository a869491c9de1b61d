namespace Atlas.Data.Images;

/// <summary>The resampling kernels of <see cref="PillowResampler"/>, named as Pillow names them.</summary>
public enum ResampleFilter
{
    /// <summary>Pillow's BICUBIC: Keys' cubic convolution with a = −0.5, support 2 (CLIP's preprocessing uses it).</summary>
    Bicubic,

    /// <summary>Pillow's BILINEAR: the triangle kernel, support 1 (torchvision's default interpolation).</summary>
    Bilinear,
}
