namespace Capture.Hpack;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4 as far as the capture knows it: the entries it saw inserted,
/// newest first, and possibly an unknown tail of older entries of unknown number and size (when the capture
/// began mid-connection or lost a header block). Lookups in the known part are exact; a lookup past it is
/// <see cref="Lookup.Unknown"/> while the tail may exist and <see cref="Lookup.Invalid"/> once it cannot.
///
/// <see cref="Capacity"/> is an upper bound of the encoder's maximum table size. Keeping an entry the encoder
/// has already evicted is harmless, because indices count from the newest entry and a valid encoder never
/// refers past its own table; evicting one it still has would only turn later references into Unknown. So every
/// decision below errs towards keeping entries, and the tail is declared gone only when it provably is:
/// when known entries (counted at no more than their true size) plus one minimal entry of 32 octets exceed the bound.
/// </summary>
internal sealed class HpackDynamicTable
{
    /// <summary>RFC 7541 §4.1: an entry's size is its name and value octets plus 32.</summary>
    public const int EntryOverhead = 32;

    /// <summary>Default of <see cref="MaxRetainedBytes"/>.</summary>
    public const int DefaultMaxRetainedBytes = 1 << 20;

    /// <summary>Most octets of entries kept in memory, whatever the peer advertises; entries past it become unknown.</summary>
    public int MaxRetainedBytes { get; }

    /// <summary>One entry; <see cref="Name"/> is null when it was inserted with a name from an unknown entry.</summary>
    public readonly record struct Entry(string? Name, string Value, int Size);

    public enum Lookup { Found, Unknown, Invalid }

    private Entry[] _ring = new Entry[16];
    private int _oldest;
    private int _unknownNames;

    public HpackDynamicTable(int capacity, int maxRetainedBytes = DefaultMaxRetainedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBytes);
        MaxRetainedBytes = maxRetainedBytes;
        Capacity = capacity;
        CapacityKnown = true;
    }

    /// <summary>Known entries.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of the known entries' sizes (RFC 7541 §4.1); an unknown name counts as 0 octets.</summary>
    public long Size { get; private set; }

    /// <summary>Upper bound of the maximum table size the encoder uses; meaningful when <see cref="CapacityKnown"/>.</summary>
    public long Capacity { get; private set; }

    public bool CapacityKnown { get; private set; }

    /// <summary>Older entries the capture never saw may follow the known ones.</summary>
    public bool TailUnknown { get; private set; }

    /// <summary>Some lookups can come back Unknown, or give an unknown name.</summary>
    public bool HasUnknownEntries => TailUnknown || _unknownNames > 0;

    /// <summary>Entry <paramref name="index"/> counted from the newest (0), as index 62 + <paramref name="index"/> addresses it.</summary>
    public Entry this[int index] => _ring[(_oldest + Count - 1 - index) % _ring.Length];

    public Lookup Get(int index, out Entry entry)
    {
        entry = default;
        if (index < Count)
        {
            entry = this[index];
            return Lookup.Found;
        }
        // Every entry is at least 32 octets, so a table of Capacity octets holds at most Capacity / 32 entries.
        if (!TailUnknown || (CapacityKnown && index >= Capacity / EntryOverhead)) return Lookup.Invalid;
        return Lookup.Unknown;
    }

    /// <summary>RFC 7541 §4.4: inserts an entry, first evicting the oldest ones until it fits.</summary>
    public void Add(string? name, string value)
    {
        int size = (name?.Length ?? 0) + value.Length + EntryOverhead;
        if (CapacityKnown)
        {
            if (size > Capacity)
            {
                // An entry larger than the table empties it and is not added.
                Clear();
                TailUnknown = false;
                return;
            }
            // Known entries are newer than the unknown tail, so the encoder evicts the tail first: evicting a
            // known entry means the tail is gone.
            while (Count > 0 && Size + size > Capacity)
            {
                EvictOldest();
                TailUnknown = false;
            }
            if (Size + size + EntryOverhead > Capacity) TailUnknown = false;
        }
        while (Count > 0 && Size + size > MaxRetainedBytes)
        {
            EvictOldest();
            TailUnknown = true;
        }
        if (size > MaxRetainedBytes)
        {
            TailUnknown = true;
            return;
        }

        if (Count == _ring.Length) Grow();
        _ring[(_oldest + Count) % _ring.Length] = new Entry(name, value, size);
        Count++;
        Size += size;
        if (name is null) _unknownNames++;
    }

    /// <summary>RFC 7541 §4.3: a dynamic table size update sets the maximum size exactly and evicts down to it.</summary>
    public void SetCapacity(long capacity)
    {
        Capacity = capacity;
        CapacityKnown = true;
        while (Count > 0 && Size > capacity)
        {
            EvictOldest();
            TailUnknown = false;
        }
        if (Size + EntryOverhead > capacity) TailUnknown = false;
    }

    /// <summary>Raises the upper bound to <paramref name="bound"/> (the decoder side's SETTINGS_HEADER_TABLE_SIZE).</summary>
    public void RaiseCapacityBound(long bound)
    {
        if (!CapacityKnown || bound > Capacity) Capacity = bound;
        CapacityKnown = true;
    }

    /// <summary>Header blocks were missed: no entry's index is known any more, nor the maximum size.</summary>
    public void LoseContext(long? capacityBound)
    {
        Clear();
        TailUnknown = true;
        CapacityKnown = capacityBound is not null;
        Capacity = capacityBound ?? 0;
    }

    private void EvictOldest()
    {
        var entry = _ring[_oldest];
        _ring[_oldest] = default;
        _oldest = (_oldest + 1) % _ring.Length;
        Count--;
        Size -= entry.Size;
        if (entry.Name is null) _unknownNames--;
    }

    private void Clear()
    {
        Array.Clear(_ring);
        _oldest = 0;
        Count = 0;
        Size = 0;
        _unknownNames = 0;
    }

    private void Grow()
    {
        var ring = new Entry[_ring.Length * 2];
        for (int i = 0; i < Count; i++) ring[i] = _ring[(_oldest + i) % _ring.Length];
        _ring = ring;
        _oldest = 0;
    }
}
