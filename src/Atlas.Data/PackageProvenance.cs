namespace Atlas.Data;

/// <summary>The registry package a source was taken from.</summary>
/// <param name="Registry">"npm" or "debian".</param>
/// <param name="Name">Package name in that registry.</param>
/// <param name="Version">Exact package version the data was imported from.</param>
/// <param name="Licence">SPDX-style licence of the package.</param>
/// <param name="Copyright">Holder of the package's copyright.</param>
public sealed record PackageProvenance(string Registry, string Name, string Version, string Licence, string Copyright);
