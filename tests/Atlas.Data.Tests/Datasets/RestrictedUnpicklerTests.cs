using System.Numerics;
using Atlas.Data.Formats.Pickle;

namespace Atlas.Data.Tests.Datasets;

public sealed class RestrictedUnpicklerTests
{
    private const string ExecutionMarker = "/tmp/atlas_matdata_pickle_executed";

    // generate.py pickled {"data": np.arange(6, dtype=uint8).reshape(2, 3), "labels": [1, 2, 300, -7, 2**40],
    // "raw": b"\x00\xff", "f": 1.5, "none": None, "t": (True, False), "big": 2**70} with Python 3.11 at each protocol.
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    public void Python3_pickles_of_dicts_lists_and_numpy_arrays_read_as_data(int protocol)
    {
        object? root = RestrictedUnpickler.Read(MatDataFixtures.File($"pickle/python3_protocol{protocol}.pkl"));

        var dict = Assert.IsType<Dictionary<object, object?>>(root);
        var data = Assert.IsType<NumpyArray>(dict["data"]);
        Assert.Equal("|u1", data.Dtype);
        Assert.Equal([2L, 3L], data.Shape);
        Assert.False(data.FortranOrder);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, data.Data);
        Assert.Equal(new object?[] { 1L, 2L, 300L, -7L, 1L << 40 }, Assert.IsType<List<object?>>(dict["labels"]).ToArray());
        Assert.Equal(new byte[] { 0, 255 }, dict["raw"]);
        Assert.Equal(1.5, dict["f"]);
        Assert.Null(dict["none"]);
        Assert.Equal(new object?[] { true, false }, dict["t"]);
        Assert.Equal(BigInteger.Pow(2, 70), dict["big"]);
    }

    [Fact]
    public void Os_system_global_is_refused_without_executing()
    {
        string path = MatDataFixtures.File("pickle/refused_os_system.pkl");

        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Read(path));

        Assert.Contains("refused global 'posix.system'", error.Message);
        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(ExecutionMarker));
    }

    [Fact]
    public void Builtins_eval_via_stack_global_is_refused_without_executing()
    {
        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Read(MatDataFixtures.File("pickle/refused_builtins_eval.pkl")));

        Assert.Contains("refused global 'builtins.eval'", error.Message);
        Assert.False(File.Exists(ExecutionMarker));
    }

    [Fact]
    public void Object_building_opcodes_are_refused()
    {
        // Protocol 0 INST: "(i__main__\nThing\n." would instantiate a class.
        byte[] inst = "(i__main__\nThing\n."u8.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Parse(inst, "inst.pkl"));
        Assert.Contains("opcode 0x69", error.Message);
    }

    [Fact]
    public void Truncated_pickle_is_refused_naming_the_file()
    {
        byte[] bytes = File.ReadAllBytes(MatDataFixtures.File("root/cifar-10-batches-py/test_batch"));

        var error = Assert.Throws<InvalidDataException>(() => RestrictedUnpickler.Parse(bytes[..(bytes.Length / 2)], "test_batch"));
        Assert.Contains("test_batch: truncated pickle", error.Message);
    }
}
