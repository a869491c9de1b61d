using Xunit;

namespace Atlas.Testing;

/// <summary>
/// A fact that needs Linux (it reads <c>/proc</c>): elsewhere it is reported as skipped, with the reason, instead of
/// passing without checking anything. xunit 2 has no runtime skip, so the skip is decided when the attribute is made.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux (reads /proc/self)";
    }
}
