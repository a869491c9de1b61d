namespace Atlas.Data.Images;

/// <summary>A crop rectangle in torchvision's order (top, left, height, width), in whole pixels.</summary>
public readonly record struct CropRegion(int Top, int Left, int Height, int Width);
