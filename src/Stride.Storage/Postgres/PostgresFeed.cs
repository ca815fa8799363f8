using System.Buffers;
using System.Text;
using Stride.Core.Events;

namespace Stride.Storage.Postgres;

/// <summary>The encoding of the events a write transaction saved, as stored in <c>event_feed.events</c>.</summary>
/// <remarks>
/// <para>A version byte, then each event: its kind, then its fields. Integers are variable-length (a
/// time takes 5 bytes, not 8); a string is its length and UTF-8 bytes, or, when it is lowercase hex of
/// even length (commit hashes, most identifiers), half as many bytes. System and environment names,
/// repeated on most events, are written once and then referred to by their number. A request of 5,000
/// events of the benchmarks' large dataset takes ~190 KB.</para>
/// <para>The buffer is rented (a request's events take hundreds of kilobytes, which would otherwise be a
/// new large-object array per request for the garbage collector): dispose the result once sent.</para>
/// </remarks>
internal static class PostgresFeed
{
    private const byte Version = 1;
    private const byte ChangeKind = 1;
    private const byte DeploymentKind = 2;
    private const byte IncidentKind = 3;

    /// <summary>The events encoded, in a rented buffer.</summary>
    public static Encoded Encode(IReadOnlyList<Event> events)
    {
        var writer = new Writer(64 + (events.Count * 48));
        writer.Byte(Version);
        foreach (var e in events)
        {
            switch (e)
            {
                case Change change:
                    writer.Byte(ChangeKind);
                    writer.Name(change.System);
                    writer.String(change.Identifier);
                    writer.Integer(change.Timestamp);
                    break;
                case Deployment deployment:
                    writer.Byte(DeploymentKind);
                    writer.Name(deployment.System);
                    writer.Name(deployment.Environment);
                    writer.String(deployment.Identifier);
                    writer.Integer(deployment.Timestamp);
                    writer.Byte((byte)((int)deployment.Result | (deployment.Rework ? 4 : 0) | (deployment.Commit is null ? 0 : 8)));
                    if (deployment.Commit is not null)
                    {
                        writer.String(deployment.Commit);
                    }

                    writer.List(deployment.Changes);
                    writer.List(deployment.Teams);
                    break;
                case Incident incident:
                    writer.Byte(IncidentKind);
                    writer.Name(incident.System);
                    writer.String(incident.Identifier);
                    writer.Integer(incident.TimestampCreated);
                    writer.Byte((byte)((incident.TimestampResolved is null ? 0 : 1) | (incident.Deployment is null ? 0 : 2)));
                    if (incident.TimestampResolved is { } resolved)
                    {
                        writer.Integer(resolved);
                    }

                    if (incident.Deployment is not null)
                    {
                        writer.String(incident.Deployment);
                    }

                    break;
                default:
                    writer.Dispose();
                    throw new ArgumentException($"A {e.GetType().Name} is not a saved event of the feed.", nameof(events));
            }
        }

        return writer.Done();
    }

    /// <exception cref="InvalidDataException">The bytes are not events this build wrote.</exception>
    public static List<Event> Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded);
        if (encoded.IsEmpty || reader.Byte() != Version)
        {
            throw new InvalidDataException("The feed row is not of a version this build reads.");
        }

        var events = new List<Event>();
        while (!reader.AtEnd)
        {
            switch (reader.Byte())
            {
                case ChangeKind:
                    events.Add(new Change(reader.Name(), reader.String(), reader.Integer()));
                    break;
                case DeploymentKind:
                    var (system, env, id, ts, flags) = (reader.Name(), reader.Name(), reader.String(), reader.Integer(), reader.Byte());
                    var commit = (flags & 8) != 0 ? reader.String() : null;
                    events.Add(new Deployment(system, id, ts, env, (DeploymentResult)(flags & 3), reader.List(), reader.List(), commit, (flags & 4) != 0));
                    break;
                case IncidentKind:
                    var (incidentSystem, incidentId, created, given) = (reader.Name(), reader.String(), reader.Integer(), reader.Byte());
                    long? resolvedAt = (given & 1) != 0 ? reader.Integer() : null;
                    var named = (given & 2) != 0 ? reader.String() : null;
                    events.Add(new Incident(incidentSystem, incidentId, created, resolvedAt, named));
                    break;
                default:
                    throw new InvalidDataException("The feed row holds an event of an unknown kind.");
            }
        }

        return events;
    }

    /// <summary>Whether a string is lowercase hex of even length, and so packs into half its length in bytes.</summary>
    private static bool IsPackedHex(string value)
        => value.Length % 2 == 0 && value.Length > 0 && !value.AsSpan().ContainsAnyExcept("0123456789abcdef");

    /// <summary>Encoded events in a rented buffer; disposing gives the buffer back.</summary>
    public sealed class Encoded(byte[] buffer, int length) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public ArraySegment<byte> Bytes => new(_buffer ?? throw new ObjectDisposedException(nameof(Encoded)), 0, length);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } rented)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private struct Writer(int capacity)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;
        private Dictionary<string, int>? _names;

        public void Byte(byte value)
        {
            Ensure(1);
            _buffer[_length++] = value;
        }

        /// <summary>A time: zigzag (small negative numbers stay short), then 7 bits a byte.</summary>
        public void Integer(long value) => Unsigned((ulong)((value << 1) ^ (value >> 63)));

        /// <summary>A length, count or number: 7 bits a byte.</summary>
        public void Unsigned(ulong bits)
        {
            Ensure(10);
            while (bits >= 0x80)
            {
                _buffer[_length++] = (byte)(bits | 0x80);
                bits >>= 7;
            }

            _buffer[_length++] = (byte)bits;
        }

        public void String(string value)
        {
            if (IsPackedHex(value))
            {
                Unsigned(((ulong)value.Length << 1) | 1);
                Ensure(value.Length / 2);
                Convert.FromHexString(value, _buffer.AsSpan(_length, value.Length / 2), out _, out var written);
                _length += written;
                return;
            }

            var bytes = Encoding.UTF8.GetByteCount(value);
            Unsigned((ulong)bytes << 1);
            Ensure(bytes);
            _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        }

        public void Name(string name)
        {
            _names ??= new Dictionary<string, int>(StringComparer.Ordinal);
            if (_names.TryGetValue(name, out var number))
            {
                Unsigned((ulong)number);
                return;
            }

            Unsigned((ulong)_names.Count);
            String(name);
            _names.Add(name, _names.Count);
        }

        public void List(IReadOnlyList<string> values)
        {
            Unsigned((ulong)values.Count);
            foreach (var value in values)
            {
                String(value);
            }
        }

        public readonly Encoded Done() => new(_buffer, _length);

        public readonly void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

        private void Ensure(int more)
        {
            if (_length + more > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
                _buffer.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;
        private List<string>? _names;

        public readonly bool AtEnd => _at >= _bytes.Length;

        public byte Byte() => _at < _bytes.Length ? _bytes[_at++] : throw Truncated();

        public long Integer()
        {
            var bits = Unsigned();
            return (long)(bits >> 1) ^ -(long)(bits & 1);
        }

        public ulong Unsigned()
        {
            ulong bits = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                bits |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return bits;
                }
            }

            throw new InvalidDataException("The feed row holds a malformed integer.");
        }

        /// <summary>A length or count, which cannot exceed the bytes left.</summary>
        private int Count()
        {
            var value = Unsigned();
            return value <= (ulong)(_bytes.Length - _at) * 2 ? (int)value : throw Truncated();
        }

        public string String()
        {
            var header = Unsigned();
            var packed = (header & 1) != 0;
            var length = header >> 1;
            var size = packed ? length / 2 : length;
            if (size > (ulong)(_bytes.Length - _at))
            {
                throw Truncated();
            }

            var span = _bytes.Slice(_at, (int)size);
            _at += (int)size;
            return packed ? Convert.ToHexStringLower(span) : Encoding.UTF8.GetString(span);
        }

        public string Name()
        {
            _names ??= [];
            var number = Unsigned();
            if (number == (ulong)_names.Count)
            {
                _names.Add(String());
            }

            return number < (ulong)_names.Count ? _names[(int)number] : throw new InvalidDataException("The feed row names an unknown system.");
        }

        public string[] List()
        {
            var count = Count();
            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = String();
            }

            return values;
        }

        private static InvalidDataException Truncated() => new("The feed row ends before its last event.");
    }
}
