using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Atlas.Data.Formats.Mat;

/// <summary>
/// Reads MATLAB level-5 MAT-files (the format of <c>scipy.io.savemat</c> and of MATLAB's <c>save -v6/-v7</c>) as data:
/// the 128-byte header, then data elements, each an <c>miMATRIX</c> or an <c>miCOMPRESSED</c> (zlib) wrapper around
/// one. Numeric classes (double, single, int8 to uint64, logical), char, cell and struct arrays are read;
/// sparse, object and function arrays, big-endian files, v4 files and v7.3 (HDF5) files are refused with an error
/// naming the file. Values keep MATLAB's column-major order (see <see cref="MatArray.RowMajorToColumnMajorMap"/>).
/// </summary>
public static class MatFileReader
{
    private const int HeaderLength = 128;

    // Data types of data-element tags (MAT-file format, table 1-1).
    private const uint MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7,
        MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15, MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;

    private const byte ComplexFlag = 0x08, LogicalFlag = 0x02;

    /// <summary>Reads every variable of the MAT file at <paramref name="path"/>, by name, in file order.</summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian MAT v5 file, is truncated or holds an unsupported array; the message names the file.</exception>
    public static IReadOnlyDictionary<string, MatArray> Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Reads only the 128-byte header of <paramref name="path"/> and checks it (a cheap layout check).</summary>
    public static void CheckHeader(string path)
    {
        var header = new byte[HeaderLength];
        using (FileStream stream = File.OpenRead(path))
        {
            int read = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
            if (read < HeaderLength)
            {
                throw new InvalidDataException($"{path}: {read} bytes, too short for a MAT-file's 128-byte header.");
            }
        }
        ValidateHeader(header, path);
    }

    /// <summary>Parses MAT v5 <paramref name="content"/>; <paramref name="fileName"/> only names it in errors.</summary>
    public static IReadOnlyDictionary<string, MatArray> Parse(byte[] content, string fileName)
    {
        if (content.Length < HeaderLength)
        {
            throw new InvalidDataException($"{fileName}: {content.Length} bytes, too short for a MAT-file's 128-byte header.");
        }
        ValidateHeader(content, fileName);
        var variables = new Dictionary<string, MatArray>(StringComparer.Ordinal);
        int position = HeaderLength;
        while (position < content.Length)
        {
            if (content.Length - position < 8)
            {
                throw new InvalidDataException($"{fileName}: {content.Length - position} stray bytes at offset {position}, too short for a data element tag.");
            }
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(position));
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(position + 4));
            if ((long)position + 8 + length > content.Length)
            {
                throw new InvalidDataException($"{fileName}: the data element at offset {position} declares {length} bytes but the file ends {content.Length - position - 8} bytes later (truncated file).");
            }
            MatArray array;
            if (type == MiCompressed)
            {
                array = ReadCompressed(content.AsSpan(position + 8, (int)length), fileName, position);
                position += 8 + (int)length;
            }
            else if (type == MiMatrix)
            {
                array = new Cursor(content, position + 8, (int)length, fileName).ReadMatrixBody(MatrixName(fileName, position));
                position += 8 + Padded((int)length);
            }
            else
            {
                throw new InvalidDataException($"{fileName}: top-level data element at offset {position} has type {type}; a MAT file holds miMATRIX (14) or miCOMPRESSED (15) elements.");
            }
            variables[array.Name] = array;
        }
        return variables;
    }

    private static string MatrixName(string fileName, int offset) => $"{fileName} (element at offset {offset})";

    private static void ValidateHeader(byte[] header, string fileName)
    {
        string text = Encoding.ASCII.GetString(header, 0, 116).TrimEnd('\0', ' ');
        if (text.StartsWith("MATLAB 7.3", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{fileName}: a MATLAB 7.3 (HDF5) MAT-file; only level-5 MAT-files (save -v7 or -v6, scipy.io.savemat) are read.");
        }
        if (!text.StartsWith("MATLAB", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{fileName}: not a level-5 MAT-file (its header text does not start with 'MATLAB'; a level-4 file or another format).");
        }
        if (header[126] == (byte)'M' && header[127] == (byte)'I')
        {
            throw new InvalidDataException($"{fileName}: a big-endian MAT-file; only little-endian files are read (re-save it on a little-endian machine or with scipy.io.savemat).");
        }
        if (header[126] != (byte)'I' || header[127] != (byte)'M')
        {
            throw new InvalidDataException($"{fileName}: MAT-file endian indicator is 0x{header[126]:X2}{header[127]:X2}, neither 'IM' nor 'MI'.");
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(124));
        if (version != 0x0100)
        {
            throw new InvalidDataException($"{fileName}: MAT-file version 0x{version:X4}; level-5 files have 0x0100.");
        }
    }

    private static MatArray ReadCompressed(ReadOnlySpan<byte> compressed, string fileName, int offset)
    {
        byte[] inflated;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
            var tag = new byte[8];
            zlib.ReadExactly(tag);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(tag);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
            if (type != MiMatrix)
            {
                throw new InvalidDataException($"{fileName}: the compressed element at offset {offset} holds type {type}, not miMATRIX (14).");
            }
            inflated = new byte[length];
            zlib.ReadExactly(inflated);
        }
        catch (Exception e) when (e is EndOfStreamException || (e is InvalidDataException && !e.Message.StartsWith(fileName, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{fileName}: the compressed element at offset {offset} is corrupt or truncated ({e.Message}).", e);
        }
        return new Cursor(inflated, 0, inflated.Length, fileName).ReadMatrixBody(MatrixName(fileName, offset));
    }

    private static int Padded(int length) => (length + 7) & ~7;

    /// <summary>Reads data elements from one region of a buffer.</summary>
    private sealed class Cursor(byte[] buffer, int start, int length, string fileName)
    {
        private int _position = start;
        private readonly int _end = start + length;

        /// <summary>Reads the sub-elements of an miMATRIX whose body is this cursor's region.</summary>
        public MatArray ReadMatrixBody(string where)
        {
            if (_end == _position)
            {
                // MATLAB writes an empty cell or field value as an miMATRIX of zero bytes: a 0×0 double.
                return new MatNumericArray("", [0, 0], MatClass.Double, Array.Empty<double>(), null, false);
            }
            (uint flagsType, ReadOnlyMemory<byte> flags) = ReadElement(where, "array flags");
            if (flagsType != MiUInt32 || flags.Length != 8)
            {
                throw Error(where, $"array flags element has type {flagsType} and {flags.Length} bytes, expected miUINT32 of 8");
            }
            uint flagWord = BinaryPrimitives.ReadUInt32LittleEndian(flags.Span);
            var matClass = (MatClass)(flagWord & 0xFF);
            byte flagBits = (byte)((flagWord >> 8) & 0xFF);
            (uint dimsType, ReadOnlyMemory<byte> dimsBytes) = ReadElement(where, "dimensions");
            if (dimsType != MiInt32 || dimsBytes.Length < 8 || dimsBytes.Length % 4 != 0)
            {
                throw Error(where, $"dimensions element has type {dimsType} and {dimsBytes.Length} bytes, expected miINT32 with two or more values");
            }
            var dims = new int[dimsBytes.Length / 4];
            for (int d = 0; d < dims.Length; d++)
            {
                dims[d] = BinaryPrimitives.ReadInt32LittleEndian(dimsBytes.Span[(4 * d)..]);
                if (dims[d] < 0) throw Error(where, $"dimension {d} is negative ({dims[d]})");
            }
            (uint nameType, ReadOnlyMemory<byte> nameBytes) = ReadElement(where, "array name");
            if (nameType != MiInt8 && nameType != MiUInt8)
            {
                throw Error(where, $"array name element has type {nameType}, expected miINT8");
            }
            string name = Encoding.ASCII.GetString(nameBytes.Span);
            string at = name.Length > 0 ? $"{where} variable '{name}'" : where;
            long count = 1;
            foreach (int d in dims) count *= d;
            if (count > int.MaxValue) throw Error(at, $"{count} elements are more than this reader holds");
            return matClass switch
            {
                MatClass.Double or MatClass.Single or MatClass.Int8 or MatClass.UInt8 or MatClass.Int16 or MatClass.UInt16
                    or MatClass.Int32 or MatClass.UInt32 or MatClass.Int64 or MatClass.UInt64 => ReadNumeric(at, name, dims, (int)count, matClass, flagBits),
                MatClass.Char => ReadChar(at, name, dims, (int)count),
                MatClass.Cell => ReadCell(at, name, dims, (int)count),
                MatClass.Struct => ReadStruct(at, name, dims, (int)count),
                _ => throw Error(at, $"array class {(int)matClass} ({(Enum.IsDefined(matClass) ? matClass.ToString() : "unknown")}) is not read; numeric, char, cell and struct arrays are"),
            };
        }

        private MatNumericArray ReadNumeric(string at, string name, int[] dims, int count, MatClass matClass, byte flagBits)
        {
            (uint realType, ReadOnlyMemory<byte> realBytes) = ReadElement(at, "real part");
            Array real = Convert(at, "real part", realType, realBytes.Span, count, matClass);
            Array? imaginary = null;
            if ((flagBits & ComplexFlag) != 0)
            {
                (uint imagType, ReadOnlyMemory<byte> imagBytes) = ReadElement(at, "imaginary part");
                imaginary = Convert(at, "imaginary part", imagType, imagBytes.Span, count, matClass);
            }
            return new MatNumericArray(name, dims, matClass, real, imaginary, (flagBits & LogicalFlag) != 0);
        }

        private MatCharArray ReadChar(string at, string name, int[] dims, int count)
        {
            (uint type, ReadOnlyMemory<byte> bytes) = ReadElement(at, "characters");
            string text = type switch
            {
                MiUtf8 => Encoding.UTF8.GetString(bytes.Span),
                MiUInt8 or MiInt8 => Encoding.Latin1.GetString(bytes.Span),
                MiUInt16 or MiUtf16 => Encoding.Unicode.GetString(bytes.Span),
                MiUtf32 => Encoding.UTF32.GetString(bytes.Span),
                _ => throw Error(at, $"char data has type {type}, expected miUTF8, miUINT16, miUTF16 or miUTF32"),
            };
            if (text.Length != count)
            {
                throw Error(at, $"char array [{string.Join("×", dims)}] holds {count} characters but its data decodes to {text.Length}");
            }
            return new MatCharArray(name, dims, text);
        }

        private MatCellArray ReadCell(string at, string name, int[] dims, int count)
        {
            var cells = new MatArray[count];
            for (int i = 0; i < count; i++)
            {
                cells[i] = ReadNestedMatrix($"{at} cell {i}");
            }
            return new MatCellArray(name, dims, cells);
        }

        private MatStructArray ReadStruct(string at, string name, int[] dims, int count)
        {
            (uint lengthType, ReadOnlyMemory<byte> lengthBytes) = ReadElement(at, "field name length");
            if (lengthType != MiInt32 || lengthBytes.Length != 4)
            {
                throw Error(at, $"field name length element has type {lengthType}, expected one miINT32");
            }
            int nameLength = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes.Span);
            (uint _, ReadOnlyMemory<byte> namesBytes) = ReadElement(at, "field names");
            if (nameLength <= 0 || namesBytes.Length % nameLength != 0)
            {
                throw Error(at, $"field names take {namesBytes.Length} bytes, not a multiple of the field name length {nameLength}");
            }
            var fieldNames = new string[namesBytes.Length / nameLength];
            for (int f = 0; f < fieldNames.Length; f++)
            {
                ReadOnlySpan<byte> raw = namesBytes.Span.Slice(f * nameLength, nameLength);
                int nul = raw.IndexOf((byte)0);
                fieldNames[f] = Encoding.ASCII.GetString(nul < 0 ? raw : raw[..nul]);
            }
            var values = new MatArray[count][];
            for (int e = 0; e < count; e++)
            {
                values[e] = new MatArray[fieldNames.Length];
                for (int f = 0; f < fieldNames.Length; f++)
                {
                    values[e][f] = ReadNestedMatrix($"{at} element {e} field '{fieldNames[f]}'");
                }
            }
            return new MatStructArray(name, dims, fieldNames, values);
        }

        private MatArray ReadNestedMatrix(string where)
        {
            int tagAt = _position;
            (uint type, ReadOnlyMemory<byte> _) = ReadElement(where, "nested array");
            if (type != MiMatrix)
            {
                throw Error(where, $"nested element has type {type}, expected miMATRIX (14)");
            }
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(tagAt + 4));
            return new Cursor(buffer, tagAt + 8, (int)length, fileName).ReadMatrixBody(where);
        }

        /// <summary>Reads one data element (normal or small format) and moves past its padding.</summary>
        private (uint Type, ReadOnlyMemory<byte> Data) ReadElement(string where, string what)
        {
            if (_end - _position < 8)
            {
                throw Error(where, $"the {what} element is missing (the array ends at offset {_position})");
            }
            uint first = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(_position));
            if ((first >> 16) != 0)
            {
                // Small data element: type and byte count share the first word, the data fill the second.
                uint smallType = first & 0xFFFF;
                int smallLength = (int)(first >> 16);
                if (smallLength > 4) throw Error(where, $"the {what} small element claims {smallLength} bytes (at most 4)");
                var data = new ReadOnlyMemory<byte>(buffer, _position + 4, smallLength);
                _position += 8;
                return (smallType, data);
            }
            uint elementLength = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(_position + 4));
            if (elementLength > _end - _position - 8)
            {
                throw Error(where, $"the {what} element declares {elementLength} bytes but only {_end - _position - 8} remain (truncated)");
            }
            var body = new ReadOnlyMemory<byte>(buffer, _position + 8, (int)elementLength);
            _position = Math.Min(_end, _position + 8 + Padded((int)elementLength));
            return (first, body);
        }

        private InvalidDataException Error(string where, string problem) =>
            new($"{(where.StartsWith(fileName, StringComparison.Ordinal) ? where : $"{fileName}: {where}")}: {problem}.");

        private Array Convert(string at, string part, uint type, ReadOnlySpan<byte> bytes, int count, MatClass target)
        {
            int size = type switch
            {
                MiInt8 or MiUInt8 => 1,
                MiInt16 or MiUInt16 => 2,
                MiInt32 or MiUInt32 or MiSingle => 4,
                MiDouble or MiInt64 or MiUInt64 => 8,
                _ => throw Error(at, $"{part} has data type {type}, not a numeric MAT type"),
            };
            if (bytes.Length != (long)count * size)
            {
                throw Error(at, $"{part} holds {bytes.Length} bytes; {count} elements of type {type} need {(long)count * size}");
            }
            if (SameType(type, target))
            {
                // Stored as the class's own type: the bytes are the little-endian values.
                Array direct = Array.CreateInstance(ElementType(target), count);
                bytes.CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(direct), bytes.Length));
                return direct;
            }
            Array result = Array.CreateInstance(ElementType(target), count);
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> v = bytes.Slice(i * size, size);
                object value = type switch
                {
                    MiInt8 => (double)(sbyte)v[0],
                    MiUInt8 => (double)v[0],
                    MiInt16 => (double)BinaryPrimitives.ReadInt16LittleEndian(v),
                    MiUInt16 => (double)BinaryPrimitives.ReadUInt16LittleEndian(v),
                    MiInt32 => (double)BinaryPrimitives.ReadInt32LittleEndian(v),
                    MiUInt32 => (double)BinaryPrimitives.ReadUInt32LittleEndian(v),
                    MiSingle => (double)BinaryPrimitives.ReadSingleLittleEndian(v),
                    MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(v),
                    MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(v),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(v),
                };
                result.SetValue(CastTo(value, target), i);
            }
            return result;
        }

        private static bool SameType(uint type, MatClass target) => (type, target) switch
        {
            (MiDouble, MatClass.Double) or (MiSingle, MatClass.Single) or (MiInt8, MatClass.Int8) or (MiUInt8, MatClass.UInt8)
                or (MiInt16, MatClass.Int16) or (MiUInt16, MatClass.UInt16) or (MiInt32, MatClass.Int32)
                or (MiUInt32, MatClass.UInt32) or (MiInt64, MatClass.Int64) or (MiUInt64, MatClass.UInt64) => true,
            _ => false,
        };

        private static object CastTo(object value, MatClass target) => value switch
        {
            long l => target switch
            {
                MatClass.Double => (double)l,
                MatClass.Single => (float)l,
                MatClass.Int64 => l,
                MatClass.UInt64 => checked((ulong)l),
                _ => CastTo((double)l, target),
            },
            ulong u => target switch
            {
                MatClass.Double => (double)u,
                MatClass.Single => (float)u,
                MatClass.UInt64 => u,
                MatClass.Int64 => checked((long)u),
                _ => CastTo((double)u, target),
            },
            double d => target switch
            {
                MatClass.Double => d,
                MatClass.Single => (float)d,
                MatClass.Int8 => checked((sbyte)d),
                MatClass.UInt8 => checked((byte)d),
                MatClass.Int16 => checked((short)d),
                MatClass.UInt16 => checked((ushort)d),
                MatClass.Int32 => checked((int)d),
                MatClass.UInt32 => checked((uint)d),
                MatClass.Int64 => checked((long)d),
                _ => checked((ulong)d),
            },
            _ => throw new InvalidOperationException(),
        };

        private static Type ElementType(MatClass matClass) => matClass switch
        {
            MatClass.Double => typeof(double),
            MatClass.Single => typeof(float),
            MatClass.Int8 => typeof(sbyte),
            MatClass.UInt8 => typeof(byte),
            MatClass.Int16 => typeof(short),
            MatClass.UInt16 => typeof(ushort),
            MatClass.Int32 => typeof(int),
            MatClass.UInt32 => typeof(uint),
            MatClass.Int64 => typeof(long),
            _ => typeof(ulong),
        };
    }
}
