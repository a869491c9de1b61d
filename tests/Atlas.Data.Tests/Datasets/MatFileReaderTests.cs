using System.Buffers.Binary;
using System.Text;
using Atlas.Data.Formats.Mat;

namespace Atlas.Data.Tests.Datasets;

public sealed class MatFileReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IReadOnlyDictionary<string, MatArray> Fixture(string kind) =>
        MatFileReader.Read(MatDataFixtures.File($"mat/formats_{kind}.mat"));

    // Expected values are the literals generate.py passed to scipy.io.savemat.
    [Theory]
    [InlineData("uncompressed")]
    [InlineData("compressed")]
    public void Numeric_classes_read_as_scipy_wrote_them(string kind)
    {
        IReadOnlyDictionary<string, MatArray> v = Fixture(kind);

        var d = Assert.IsType<MatNumericArray>(v["d"]);
        Assert.Equal(MatClass.Double, d.Class);
        Assert.Equal([2, 3], d.Dimensions);
        Assert.Equal(5.25, d.GetDouble(d.ColumnMajorIndex(1, 1)));
        Assert.Equal(new[] { 1.5, 4.0, -2.0, 5.25, 3.0, 6.0 }, (double[])d.Real);
        Assert.Equal(new[] { 1.5, -2.0, 3.0, 4.0, 5.25, 6.0 }, (double[])d.ToRowMajor());
        Assert.Equal(new[] { 0.5f, -1.25f, 3f }, (float[])((MatNumericArray)v["s"]).Real);
        Assert.Equal(new sbyte[] { -128, 0, 127 }, (sbyte[])((MatNumericArray)v["i8"]).Real);
        Assert.Equal(new byte[] { 0, 200, 255 }, (byte[])((MatNumericArray)v["u8"]).Real);
        Assert.Equal(new short[] { -32768, 1234, 32767 }, (short[])((MatNumericArray)v["i16"]).Real);
        Assert.Equal(new ushort[] { 0, 40000, 65535 }, (ushort[])((MatNumericArray)v["u16"]).Real);
        Assert.Equal(new[] { int.MinValue, 7, int.MaxValue }, (int[])((MatNumericArray)v["i32"]).Real);
        Assert.Equal(new uint[] { 0, 3000000000, uint.MaxValue }, (uint[])((MatNumericArray)v["u32"]).Real);
        Assert.Equal(new[] { -(1L << 40), 0, 1L << 62 }, (long[])((MatNumericArray)v["i64"]).Real);
        Assert.Equal(new ulong[] { 0, (1UL << 63) + 5, ulong.MaxValue }, (ulong[])((MatNumericArray)v["u64"]).Real);
        // Widening goes by the class: byte 200 stays 200 (the runtime would let a byte[] pass as sbyte[]).
        Assert.Equal(new long[] { 0, 200, 255 }, ((MatNumericArray)v["u8"]).ToInt64());
        Assert.Equal(new long[] { -128, 0, 127 }, ((MatNumericArray)v["i8"]).ToInt64());
        Assert.Equal(new long[] { 0, 40000, 65535 }, ((MatNumericArray)v["u16"]).ToInt64());
        Assert.Equal(new long[] { 0, 3000000000, uint.MaxValue }, ((MatNumericArray)v["u32"]).ToInt64());
        Assert.Equal(new[] { -(1L << 40), 0, 1L << 62 }, ((MatNumericArray)v["i64"]).ToInt64());
        Assert.Equal(-32768.0, ((MatNumericArray)v["i16"]).GetDouble(0));
        Assert.Throws<OverflowException>(() => ((MatNumericArray)v["u64"]).ToInt64());
        var logical = (MatNumericArray)v["b"];
        Assert.True(logical.IsLogical);
        Assert.Equal(new byte[] { 1, 0, 1 }, (byte[])logical.Real);
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("compressed")]
    public void Three_dimensional_array_converts_column_major_to_row_major(string kind)
    {
        // z = np.arange(24, dtype=uint8).reshape(2, 3, 4): z[i, j, k] = 12 i + 4 j + k.
        var z = Assert.IsType<MatNumericArray>(Fixture(kind)["z"]);

        Assert.Equal([2, 3, 4], z.Dimensions);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)i), (byte[])z.ToRowMajor());
        Assert.Equal(12 + 8 + 3, z.GetDouble(z.ColumnMajorIndex(1, 2, 3)));
        Assert.Equal(4 + 2, z.GetDouble(z.ColumnMajorIndex(0, 1, 2)));
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("compressed")]
    public void Char_cell_and_struct_arrays_read_as_scipy_wrote_them(string kind)
    {
        IReadOnlyDictionary<string, MatArray> v = Fixture(kind);

        Assert.Equal("hello", Assert.IsType<MatCharArray>(v["t"]).Text);
        Assert.Equal(["ab", "cd"], Assert.IsType<MatCharArray>(v["m"]).Rows());
        Assert.Equal("na\u00efve \u20ac", Assert.IsType<MatCharArray>(v["u"]).Text);

        var cell = Assert.IsType<MatCellArray>(v["c"]);
        Assert.Equal([1, 3], cell.Dimensions);
        Assert.Equal(new[] { 1.0, 2.0 }, (double[])Assert.IsType<MatNumericArray>(cell.Cells[0]).Real);
        Assert.Equal("text", Assert.IsType<MatCharArray>(cell.Cells[1]).Text);
        Assert.Equal(new[] { 7 }, (int[])Assert.IsType<MatNumericArray>(cell.Cells[2]).Real);

        var structs = Assert.IsType<MatStructArray>(v["st"]);
        Assert.Equal([1, 2], structs.Dimensions);
        Assert.Equal(["fname", "class"], structs.FieldNames);
        Assert.Equal("b.jpg", Assert.IsType<MatCharArray>(structs.Field(1, "fname")).Text);
        Assert.Equal(new byte[] { 3 }, (byte[])Assert.IsType<MatNumericArray>(structs.Field(0, "class")).Real);
        Assert.Equal(new byte[] { 5 }, (byte[])Assert.IsType<MatNumericArray>(structs.Field(1, "class")).Real);

        var one = Assert.IsType<MatStructArray>(v["one"]);
        Assert.Equal(2.5, Assert.IsType<MatNumericArray>(one.Field(0, "x")).GetDouble(0));
        Assert.Equal("n", Assert.IsType<MatCharArray>(one.Field(0, "name")).Text);
        Assert.Throws<InvalidDataException>(() => one.Field(0, "missing"));
    }

    [Fact]
    public void Double_array_stored_as_uint8_is_widened_as_matlab_saves_small_integers()
    {
        // Hand-built: the header, then one miMATRIX 'labels' of class double (6), 1×3, whose real part is miUINT8 [1, 2, 102].
        var element = new List<byte>();
        void Tag(uint type, int length) { element.AddRange(BitConverter.GetBytes(type)); element.AddRange(BitConverter.GetBytes(length)); }
        void Pad() { while (element.Count % 8 != 0) element.Add(0); }
        Tag(6, 8); element.AddRange(BitConverter.GetBytes(6u)); element.AddRange(BitConverter.GetBytes(0u)); // flags: class double
        Tag(5, 8); element.AddRange(BitConverter.GetBytes(1)); element.AddRange(BitConverter.GetBytes(3)); // dims 1×3
        Tag(1, 6); element.AddRange(Encoding.ASCII.GetBytes("labels")); Pad();
        Tag(2, 3); element.AddRange(new byte[] { 1, 2, 102 }); Pad();
        byte[] file = [.. Header(), .. BitConverter.GetBytes(14u), .. BitConverter.GetBytes(element.Count), .. element];
        string path = _temp.FilePath("imagelabels.mat");
        File.WriteAllBytes(path, file);

        var labels = Assert.IsType<MatNumericArray>(MatFileReader.Read(path)["labels"]);

        Assert.Equal(MatClass.Double, labels.Class);
        Assert.Equal(new[] { 1.0, 2.0, 102.0 }, (double[])labels.Real);
        Assert.Equal(new long[] { 1, 2, 102 }, labels.ToInt64());
    }

    [Fact]
    public void Sparse_array_is_refused_naming_the_variable()
    {
        // Hand-built miMATRIX of class sparse (5), 2×2, named 'sp': refused before its index arrays are read.
        var element = new List<byte>();
        void Tag(uint type, int length) { element.AddRange(BitConverter.GetBytes(type)); element.AddRange(BitConverter.GetBytes(length)); }
        Tag(6, 8); element.AddRange(BitConverter.GetBytes(5u)); element.AddRange(BitConverter.GetBytes(1u));
        Tag(5, 8); element.AddRange(BitConverter.GetBytes(2)); element.AddRange(BitConverter.GetBytes(2));
        Tag(1, 2); element.AddRange(Encoding.ASCII.GetBytes("sp")); element.AddRange(new byte[6]);
        byte[] file = [.. Header(), .. BitConverter.GetBytes(14u), .. BitConverter.GetBytes(element.Count), .. element];
        string path = _temp.FilePath("sparse.mat");
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<InvalidDataException>(() => MatFileReader.Read(path));
        Assert.Contains("variable 'sp'", error.Message);
        Assert.Contains("Sparse", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Big_endian_file_is_refused_naming_the_file()
    {
        byte[] bytes = File.ReadAllBytes(MatDataFixtures.File("mat/formats_uncompressed.mat"));
        bytes[126] = (byte)'M';
        bytes[127] = (byte)'I';
        string path = _temp.FilePath("big.mat");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => MatFileReader.Read(path));
        Assert.Contains("big-endian", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Throws<InvalidDataException>(() => MatFileReader.CheckHeader(path));
    }

    [Fact]
    public void Hdf5_mat_file_is_refused_naming_the_version()
    {
        byte[] bytes = Header();
        Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: GLNXA64").CopyTo(bytes, 0);
        string path = _temp.FilePath("v73.mat");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => MatFileReader.Read(path));
        Assert.Contains("7.3", error.Message);
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("compressed")]
    public void Truncated_file_is_refused_naming_the_file(string kind)
    {
        byte[] bytes = File.ReadAllBytes(MatDataFixtures.File($"mat/formats_{kind}.mat"));
        string path = _temp.FilePath("cut.mat");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 40)]);

        var error = Assert.Throws<InvalidDataException>(() => MatFileReader.Read(path));
        Assert.Contains(path, error.Message);
    }

    private static byte[] Header()
    {
        var header = new byte[128];
        Array.Fill(header, (byte)' ', 0, 116);
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, hand-built by MatFileReaderTests").CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), 0x0100);
        header[126] = (byte)'I';
        header[127] = (byte)'M';
        return header;
    }
}
