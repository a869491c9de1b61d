using System.Runtime.CompilerServices;

// The dataset readers' internal seams (PendingSeededSplit) are pinned by Atlas.Data.Tests.
[assembly: InternalsVisibleTo("Atlas.Data.Tests")]
