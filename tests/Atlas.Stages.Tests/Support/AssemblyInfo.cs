// Every test drives libtorch, whose thread count is process-wide, on a 2-core machine: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
