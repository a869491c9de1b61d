using static TorchSharp.torch;

namespace Atlas.Models;

/// <summary>
/// Moving tensors to the device of the weights they meet. Data is made on the CPU (decoding, augmentation, tokenising)
/// and follows the model: a routine moves its inputs to where its weights are, so a stage chooses the device once, by
/// where it loads the weights. On the CPU nothing is moved or copied, and the tensor itself is returned.
/// </summary>
public static class DevicePlacement
{
    /// <summary>Whether <paramref name="tensor"/> already lives on <paramref name="device"/>.</summary>
    public static bool IsOn(Tensor tensor, Device device) =>
        tensor.device_type == device.type && (device.index < 0 || tensor.device_index == device.index);

    /// <summary><paramref name="tensor"/> itself when it is on <paramref name="device"/>, else a copy there.</summary>
    public static Tensor To(Tensor tensor, Device device) => IsOn(tensor, device) ? tensor : tensor.to(device);

    /// <summary><paramref name="tensor"/> on the device of <paramref name="reference"/>.</summary>
    public static Tensor Like(Tensor tensor, Tensor reference) =>
        tensor.device_type == reference.device_type && tensor.device_index == reference.device_index ? tensor : tensor.to(reference.device);

    /// <summary>The device of a set of weights (that of its first tensor; a set lives on one device).</summary>
    public static Device Of(IReadOnlyDictionary<string, Tensor> weights) =>
        weights.Values.FirstOrDefault()?.device ?? throw new ArgumentException("no weights to take a device from", nameof(weights));

    /// <summary>Every tensor on <paramref name="device"/>; the same dictionary's tensors, unmoved, when all are there.</summary>
    public static Dictionary<string, Tensor> To(IReadOnlyDictionary<string, Tensor> tensors, Device device) =>
        tensors.ToDictionary(p => p.Key, p => To(p.Value, device));
}
