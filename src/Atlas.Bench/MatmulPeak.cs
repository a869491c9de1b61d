using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Bench;

/// <summary>The machine's practical arithmetic peak: GFLOP/s of a large float32 matrix product through libtorch on the
/// current thread count, the ceiling any step of the tower can approach.</summary>
public static class MatmulPeak
{
    /// <summary>GFLOP/s of the fastest of <paramref name="repeats"/> n×n×n products (after two untimed ones): a peak is
    /// what the machine can do, so a product slowed by a neighbour on a shared host does not lower it.</summary>
    public static double Measure(int side, int repeats = 10) => Measure(side, side, side, repeats);

    /// <summary>GFLOP/s of the fastest of <paramref name="repeats"/> [m, k]·[k, n] products: the ceiling for one
    /// product of that shape.</summary>
    public static double Measure(long m, long k, long n, int repeats = 10)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(1);
        var a = randn([m, k], generator: generator);
        var b = randn([k, n], generator: generator);
        var seconds = new List<double>();
        for (int i = 0; i < repeats + 2; i++)
        {
            using var step = NewDisposeScope();
            long started = Stopwatch.GetTimestamp();
            matmul(a, b);
            if (i >= 2) seconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return 2.0 * m * k * n / seconds.Min() / 1e9;
    }
}
