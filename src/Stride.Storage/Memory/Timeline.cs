namespace Stride.Storage.Memory;

/// <summary>Nodes of one system kept in (time, identifier) order, for range reads and keyset paging.</summary>
/// <remarks>
/// A sorted array list: events mostly arrive in time order, so an insert is usually an append, and a
/// late one moves only the entries after it. A node's time must not change while it is in the list
/// (remove it, change it, insert it again).
/// </remarks>
internal sealed class Timeline<T>(Func<T, long> time, Func<T, string> id) where T : class
{
    private readonly List<T> _items = [];

    public int Count => _items.Count;

    public T this[int index] => _items[index];

    public T? Last => _items.Count == 0 ? null : _items[^1];

    public long TimeOf(int index) => time(_items[index]);

    public string IdOf(int index) => id(_items[index]);

    public void Insert(T item) => _items.Insert(Below(time(item), id(item)), item);

    /// <summary>Adds an item at the end, out of order: for building a timeline, which <see cref="Sort"/> then orders.</summary>
    public void Append(T item) => _items.Add(item);

    public void Sort() => _items.Sort((a, b) => time(a) != time(b) ? time(a).CompareTo(time(b)) : CodePointOrder.Compare(id(a), id(b)));

    public void Remove(T item)
    {
        var index = Below(time(item), id(item));
        if (index < _items.Count && ReferenceEquals(_items[index], item))
        {
            _items.RemoveAt(index);
            return;
        }

        // Only when the caller broke the rule above; keep the list right all the same.
        _items.Remove(item);
    }

    /// <summary>The number of items with a time below <paramref name="ts"/>.</summary>
    public int Below(long ts) => Below(ts, null);

    /// <summary>The number of items ordered before (<paramref name="ts"/>, <paramref name="key"/>); a null key sorts before all.</summary>
    public int Below(long ts, string? key)
    {
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var item = _items[mid];
            var t = time(item);
            var before = t < ts || (t == ts && key is not null && CodePointOrder.Compare(id(item), key) < 0);
            if (before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The number of items with a time at or below <paramref name="ts"/>.</summary>
    public int AtOrBelow(long ts) => ts == long.MaxValue ? _items.Count : Below(ts + 1);
}
