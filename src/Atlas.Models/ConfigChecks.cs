namespace Atlas.Models;

/// <summary>Shared argument checks of the config records.</summary>
internal static class ConfigChecks
{
    internal static void Positive(string owner, params (string Name, int Value)[] values)
    {
        foreach (var (name, value) in values)
            if (value <= 0) throw new ArgumentException($"{owner}: {name} must be positive, got {value}.");
    }

    internal static void HeadsDivideWidth(string owner, int width, int heads)
    {
        if (width % heads != 0)
            throw new ArgumentException($"{owner}: width {width} is not divisible by {heads} heads.");
    }
}
