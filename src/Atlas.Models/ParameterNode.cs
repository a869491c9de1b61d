using TorchSharp;

namespace Atlas.Models;

/// <summary>An empty container module, so that nested registration yields dotted open_clip parameter names.</summary>
internal sealed class ParameterNode(string name) : torch.nn.Module(name);
