namespace Atlas.Pipeline.Specs;

/// <summary>
/// Marks a spec field added after artifacts were already recorded: while it holds its default (the property's
/// initialiser) it is left out of the lock parameters a stage hashes, so existing locks stay up to date and only a
/// non-default value reruns the stage. The resolved spec and the schema still show the field and its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OmittedFromLockAtDefaultAttribute : Attribute;
