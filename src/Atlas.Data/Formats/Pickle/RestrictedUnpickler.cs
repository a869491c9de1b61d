using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Atlas.Data.Formats.Pickle;

/// <summary>
/// Reads a Python pickle as data, never as code: a stack machine over the data opcodes of protocols 2 to 5 (ints,
/// floats, strings, bytes, lists, tuples, dicts, memo) that builds .NET values (<c>long</c>/<see cref="BigInteger"/>,
/// <c>double</c>, <c>bool</c>, null for None, <c>string</c>, <c>byte[]</c>, <c>List&lt;object?&gt;</c>, <c>object?[]</c>
/// for tuples, <c>Dictionary&lt;object, object?&gt;</c>). The only globals it accepts are the ones numpy arrays are
/// pickled with (<c>numpy.core.multiarray._reconstruct</c>, <c>numpy.ndarray</c>, <c>numpy.dtype</c>, protocol 5's
/// <c>numpy.core.numeric._frombuffer</c>, and <c>_codecs.encode</c> that Python 3 uses for bytes at protocol 2); they become <see cref="NumpyArray"/> values and
/// bytes. Any other global (<c>os.system</c>, <c>builtins.eval</c>, ...) and every opcode that could call or import
/// anything else (INST, OBJ, NEWOBJ, extension registry, persistent ids) is refused with an error naming the file, the
/// byte offset and the global. Python 2 strings (the CIFAR batches' keys and pixel bytes) are decoded as Latin-1, as
/// torchvision's <c>pickle.load(f, encoding="latin1")</c> does.
/// </summary>
public static class RestrictedUnpickler
{
    /// <summary>Reads the pickle at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, malformed or uses a refused global or opcode.</exception>
    public static object? Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Reads a pickle already in memory; <paramref name="fileName"/> only names it in errors.</summary>
    public static object? Parse(byte[] content, string fileName) => new Machine(content, fileName).Run();

    /// <summary>The value of <paramref name="key"/> (a str key) in the pickled dict <paramref name="root"/>, or an error naming the file.</summary>
    public static object? DictValue(object? root, string key, string fileName)
    {
        if (root is not Dictionary<object, object?> dict)
        {
            throw new InvalidDataException($"{fileName}: the pickle holds {Describe(root)}, not a dict.");
        }
        if (!dict.TryGetValue(key, out object? value))
        {
            throw new InvalidDataException($"{fileName}: the pickled dict has no key '{key}' (keys: {string.Join(", ", dict.Keys.Select(Describe))}).");
        }
        return value;
    }

    /// <summary>A short description of a value for error messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        byte[] b => b.Length <= 32 ? $"b'{Encoding.Latin1.GetString(b)}'" : $"bytes[{b.Length}]",
        List<object?> l => $"list[{l.Count}]",
        object?[] t => $"tuple[{t.Length}]",
        Dictionary<object, object?> d => $"dict[{d.Count}]",
        NumpyArray a => $"ndarray {a.Dtype} ({string.Join(", ", a.Shape)})",
        _ => value.GetType().Name,
    };

    // The callables a pickle may name: numpy's array and dtype reconstruction and bytes encoding, nothing else.
    private enum AllowedGlobal
    {
        Reconstruct,
        NdArrayType,
        Dtype,
        CodecsEncode,
        FromBuffer,
    }

    private static readonly Dictionary<(string Module, string Name), AllowedGlobal> Allowed = new()
    {
        [("numpy.core.multiarray", "_reconstruct")] = AllowedGlobal.Reconstruct,
        [("numpy._core.multiarray", "_reconstruct")] = AllowedGlobal.Reconstruct,
        [("numpy", "ndarray")] = AllowedGlobal.NdArrayType,
        [("numpy", "dtype")] = AllowedGlobal.Dtype,
        [("_codecs", "encode")] = AllowedGlobal.CodecsEncode,
        [("numpy.core.numeric", "_frombuffer")] = AllowedGlobal.FromBuffer,
        [("numpy._core.numeric", "_frombuffer")] = AllowedGlobal.FromBuffer,
    };

    // An array between _reconstruct and its BUILD (numpy's __setstate__).
    private sealed class PendingArray
    {
        public NumpyArray? Array;
    }

    // A dtype between numpy.dtype(...) and its BUILD, which sets the byte order.
    private sealed class PendingDtype(string kind)
    {
        public string Kind { get; } = kind;
        public char ByteOrder = '=';
    }

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => (x, y) switch
        {
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (object?[] a, object?[] b) => a.Length == b.Length && a.Zip(b).All(p => Equals(p.First, p.Second)),
            _ => object.Equals(x, y),
        };

        public int GetHashCode(object obj) => obj switch
        {
            byte[] b => b.Length == 0 ? 0 : HashCode.Combine(b.Length, b[0], b[^1]),
            object?[] t => t.Length,
            _ => obj.GetHashCode(),
        };
    }

    private sealed class Machine(byte[] data, string fileName)
    {
        private static readonly object Mark = new();
        private readonly List<object?> _stack = [];
        private readonly Dictionary<long, object?> _memo = [];
        private int _position;
        private int _opcodeAt;

        public object? Run()
        {
            while (true)
            {
                _opcodeAt = _position;
                byte op = ReadByte();
                switch (op)
                {
                    case 0x80: // PROTO
                        byte protocol = ReadByte();
                        if (protocol > 5) throw Error($"pickle protocol {protocol} is newer than 5");
                        break;
                    case 0x95: // FRAME: an 8-byte length; frames only group opcodes
                        Take(8);
                        break;
                    case (byte)'.': // STOP
                        if (_stack.Count != 1) throw Error($"STOP with {_stack.Count} values on the stack");
                        return Finish(_stack[0]);
                    case (byte)'(': _stack.Add(Mark); break;
                    case (byte)'0': Pop(); break;
                    case (byte)'1': PopMark(); break;
                    case (byte)'2': _stack.Add(Peek()); break;
                    case (byte)'N': _stack.Add(null); break;
                    case 0x88: _stack.Add(true); break;
                    case 0x89: _stack.Add(false); break;
                    case (byte)'K': _stack.Add((long)ReadByte()); break;
                    case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                    case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                    case 0x8a: _stack.Add(LongFrom(Take(ReadByte()))); break; // LONG1
                    case 0x8b: _stack.Add(LongFrom(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))))); break; // LONG4
                    case (byte)'I': _stack.Add(TextInt(ReadLine())); break;
                    case (byte)'L': _stack.Add(TextLong(ReadLine())); break;
                    case (byte)'F': _stack.Add(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break;
                    case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                    case (byte)'U': _stack.Add(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING (Python 2 str)
                    case (byte)'T': _stack.Add(Encoding.Latin1.GetString(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))))); break; // BINSTRING
                    case 0x8c: _stack.Add(Encoding.UTF8.GetString(Take(ReadByte()))); break; // SHORT_BINUNICODE
                    case (byte)'X': _stack.Add(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINUNICODE
                    case 0x8d: _stack.Add(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))))); break; // BINUNICODE8
                    case (byte)'C': _stack.Add(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                    case (byte)'B': _stack.Add(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                    case 0x8e: _stack.Add(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BINBYTES8
                    case 0x96: _stack.Add(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BYTEARRAY8
                    case (byte)']': _stack.Add(new List<object?>()); break;
                    case (byte)'l': _stack.Add(new List<object?>(PopMark())); break;
                    case (byte)'a': { object? item = Pop(); AsList(Peek()).Add(item); break; }
                    case (byte)'e': { List<object?> items = PopMark(); AsList(Peek()).AddRange(items); break; }
                    case (byte)')': _stack.Add(Array.Empty<object?>()); break;
                    case (byte)'t': _stack.Add(PopMark().ToArray()); break;
                    case 0x85: _stack.Add(new[] { Pop() }); break;
                    case 0x86: { object? b = Pop(), a = Pop(); _stack.Add(new[] { a, b }); break; }
                    case 0x87: { object? c = Pop(), b = Pop(), a = Pop(); _stack.Add(new[] { a, b, c }); break; }
                    case (byte)'}': _stack.Add(new Dictionary<object, object?>(KeyComparer.Instance)); break;
                    case (byte)'d': { var dict = new Dictionary<object, object?>(KeyComparer.Instance); SetItems(dict, PopMark()); _stack.Add(dict); break; }
                    case (byte)'s': { object? value = Pop(), key = Pop(); SetItems(AsDict(Peek()), [key, value]); break; }
                    case (byte)'u': { List<object?> items = PopMark(); SetItems(AsDict(Peek()), items); break; }
                    case (byte)'p': _memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break;
                    case (byte)'q': _memo[ReadByte()] = Peek(); break;
                    case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
                    case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                    case (byte)'g': _stack.Add(Recall(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break;
                    case (byte)'h': _stack.Add(Recall(ReadByte())); break;
                    case (byte)'j': _stack.Add(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                    case (byte)'c': { string module = ReadLine(), name = ReadLine(); _stack.Add(Global(module, name)); break; }
                    case 0x93: { object? name = Pop(), module = Pop(); _stack.Add(Global(module as string ?? "?", name as string ?? "?")); break; } // STACK_GLOBAL
                    case (byte)'R': { object? args = Pop(), callable = Pop(); _stack.Add(Reduce(callable, args)); break; }
                    case (byte)'b': { object? state = Pop(); Build(Peek(), state); break; }
                    default:
                        throw Error($"opcode 0x{op:X2} ('{(op >= 0x20 && op < 0x7F ? (char)op : '?')}') is not read; only the data opcodes of pickles of dicts, lists and numpy arrays are (no INST, OBJ, NEWOBJ, persistent ids or extension codes)");
                }
            }
        }

        private object Global(string module, string name)
        {
            if (!Allowed.TryGetValue((module, name), out AllowedGlobal allowed))
            {
                throw Error($"refused global '{module}.{name}': a data pickle may only name numpy's array reconstruction (numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype) and _codecs.encode; nothing was executed");
            }
            return allowed;
        }

        private object? Reduce(object? callable, object? args)
        {
            if (callable is not AllowedGlobal global)
            {
                throw Error($"REDUCE applies {Describe(callable)}, not an allowed global");
            }
            if (args is not object?[] arguments)
            {
                throw Error($"REDUCE arguments are {Describe(args)}, not a tuple");
            }
            switch (global)
            {
                case AllowedGlobal.Reconstruct:
                    if (arguments.Length != 3 || arguments[0] is not AllowedGlobal.NdArrayType)
                    {
                        throw Error("_reconstruct is called with other arguments than (numpy.ndarray, shape, typecode)");
                    }
                    return new PendingArray();
                case AllowedGlobal.Dtype:
                    if (arguments.Length < 1 || arguments[0] is not string kind)
                    {
                        throw Error("numpy.dtype is called without a dtype string");
                    }
                    return new PendingDtype(kind);
                case AllowedGlobal.CodecsEncode:
                    if (arguments.Length != 2 || arguments[0] is not string text || arguments[1] is not ("latin1" or "latin-1"))
                    {
                        throw Error("_codecs.encode is called with other arguments than (str, 'latin1')");
                    }
                    return Encoding.Latin1.GetBytes(text);
                case AllowedGlobal.FromBuffer:
                    // Protocol 5 pickles arrays as _frombuffer(buffer, dtype, shape, order), the buffer in-band.
                    if (arguments.Length != 4 || arguments[0] is not byte[] buffer || arguments[1] is not PendingDtype bufferType
                        || arguments[2] is not object?[] bufferShape || bufferShape.Any(d => d is not long) || arguments[3] is not ("C" or "F"))
                    {
                        throw Error("_frombuffer is called with other arguments than (bytes, dtype, shape, order)");
                    }
                    return new NumpyArray(DtypeString(bufferType), bufferShape.Select(d => (long)d!).ToArray(), (string)arguments[3]! == "F", buffer);
                default:
                    throw Error($"{global} cannot be called");
            }
        }

        private void Build(object? target, object? state)
        {
            switch (target)
            {
                case PendingDtype dtype:
                    if (state is object?[] { Length: >= 2 } dtypeState && dtypeState[1] is string order && order.Length == 1)
                    {
                        dtype.ByteOrder = order[0];
                        return;
                    }
                    throw Error($"dtype state is {Describe(state)}, not numpy's (version, byteorder, ...) tuple");
                case PendingArray array:
                    if (state is not object?[] arrayState || arrayState.Length is not (4 or 5))
                    {
                        throw Error($"ndarray state is {Describe(state)}, not numpy's (version, shape, dtype, is_fortran, data) tuple");
                    }
                    int offset = arrayState.Length - 4;
                    if (arrayState[offset] is not object?[] shape || shape.Any(d => d is not long)
                        || arrayState[offset + 1] is not PendingDtype elementType || arrayState[offset + 2] is not bool fortran)
                    {
                        throw Error("ndarray state has an unexpected shape, dtype or order field");
                    }
                    byte[] raw = arrayState[offset + 3] switch
                    {
                        byte[] b => b,
                        string s => Encoding.Latin1.GetBytes(s), // a Python 2 str, as numpy reads it under encoding="latin1"
                        _ => throw Error($"ndarray data are {Describe(arrayState[offset + 3])}, not bytes"),
                    };
                    array.Array = new NumpyArray(DtypeString(elementType), shape.Select(d => (long)d!).ToArray(), fortran, raw);
                    return;
                default:
                    throw Error($"BUILD on {Describe(target)}; only numpy arrays and dtypes are built");
            }
        }

        private static string DtypeString(PendingDtype dtype) =>
            $"{(dtype.ByteOrder == '=' ? (BitConverter.IsLittleEndian ? '<' : '>') : dtype.ByteOrder)}{dtype.Kind}";

        private object? Finish(object? value) => value switch
        {
            PendingArray { Array: { } array } => array,
            PendingArray => throw Error("an ndarray was never given its state"),
            PendingDtype dtype => $"{dtype.ByteOrder}{dtype.Kind}",
            AllowedGlobal global => throw Error($"a bare global ({global}) is left in the data"),
            List<object?> list => Finished(list),
            object?[] tuple => tuple.Select(Finish).ToArray(),
            Dictionary<object, object?> dict => FinishedDict(dict),
            _ => value,
        };

        private List<object?> Finished(List<object?> list)
        {
            for (int i = 0; i < list.Count; i++) list[i] = Finish(list[i]);
            return list;
        }

        private Dictionary<object, object?> FinishedDict(Dictionary<object, object?> dict)
        {
            foreach (object key in dict.Keys.ToList()) dict[key] = Finish(dict[key]);
            return dict;
        }

        private void SetItems(Dictionary<object, object?> dict, List<object?> items)
        {
            if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of values");
            for (int i = 0; i < items.Count; i += 2)
            {
                object key = items[i] ?? throw Error("a dict key is None");
                if (key is List<object?> or Dictionary<object, object?> or PendingArray) throw Error($"unhashable dict key {Describe(key)}");
                dict[key] = items[i + 1];
            }
        }

        private List<object?> AsList(object? value) => value as List<object?> ?? throw Error($"APPEND to {Describe(value)}, not a list");

        private Dictionary<object, object?> AsDict(object? value) => value as Dictionary<object, object?> ?? throw Error($"SETITEM on {Describe(value)}, not a dict");

        private object? Recall(long key) => _memo.TryGetValue(key, out object? value) ? value : throw Error($"memo key {key} was never stored");

        private object? Pop()
        {
            if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Error("stack underflow");
            object? value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return value;
        }

        private object? Peek()
        {
            if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Error("stack underflow");
            return _stack[^1];
        }

        private List<object?> PopMark()
        {
            int mark = _stack.FindLastIndex(v => ReferenceEquals(v, Mark));
            if (mark < 0) throw Error("no MARK on the stack");
            List<object?> items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }

        private byte ReadByte() => Take(1)[0];

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > data.Length - _position)
            {
                throw new InvalidDataException($"{fileName}: truncated pickle: {count} bytes wanted at offset {_position}, {data.Length - _position} left.");
            }
            var span = new ReadOnlySpan<byte>(data, _position, count);
            _position += count;
            return span;
        }

        private int Length(long length) => length is >= 0 and <= int.MaxValue ? (int)length : throw Error($"length {length} out of range");

        private int Length(ulong length) => length <= int.MaxValue ? (int)length : throw Error($"length {length} out of range");

        private string ReadLine()
        {
            int end = Array.IndexOf(data, (byte)'\n', _position);
            if (end < 0) throw new InvalidDataException($"{fileName}: truncated pickle: no end of line after offset {_position}.");
            string line = Encoding.Latin1.GetString(data, _position, end - _position);
            _position = end + 1;
            return line;
        }

        private static object LongFrom(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 0) return 0L;
            var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
            return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
        }

        private object TextInt(string text) => text switch
        {
            "00" => false,
            "01" => true,
            _ => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : throw Error($"INT '{text}' is not an integer"),
        };

        private object TextLong(string text)
        {
            string digits = text.EndsWith('L') ? text[..^1] : text;
            BigInteger value = BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
        }

        private InvalidDataException Error(string problem) => new($"{fileName}: pickle offset {_opcodeAt}: {problem}.");
    }
}
