namespace ContactCenter.Sip.Media;

/// <summary>
/// Decodes each prompt file once and shares the <see cref="AudioClip"/> with every call that plays it.
/// A file is reloaded when its size or modification time changes. When the cache holds more than
/// <see cref="MaxSamples"/>, the least recently used clips are dropped (calls playing them keep their copy).
/// Concurrent first requests for a file decode it once. Thread-safe.
/// </summary>
public sealed class PromptCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;
    private long _samples;

    /// <summary>Creates a cache.</summary>
    /// <param name="maxSamples">The most audio held (default one hour: 28.8 M samples, 57.6 MB).</param>
    public PromptCache(long maxSamples = 3600L * 8000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        MaxSamples = maxSamples;
    }

    /// <summary>The most audio held, in samples.</summary>
    public long MaxSamples { get; }

    /// <summary>Clips held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Audio held, in samples.</summary>
    public long CachedSamples
    {
        get
        {
            lock (_gate)
            {
                return _samples;
            }
        }
    }

    /// <summary>Files decoded so far (misses).</summary>
    public long Loads { get; private set; }

    /// <summary>Returns the decoded clip for a WAV file, decoding it on first use.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a WAV this library can convert (the message names the format).</exception>
    public AudioClip Get(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Prompt file \"{full}\" does not exist.", full);
        }

        var version = (info.Length, info.LastWriteTimeUtc);
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(full, out entry!) || entry.Version != version)
            {
                if (entry is not null)
                {
                    Remove(full, entry);
                }

                entry = new Entry(version, new Lazy<AudioClip>(() => WavFile.Read(full), LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[full] = entry;
            }

            entry.LastUse = ++_clock;
        }

        AudioClip clip;
        try
        {
            var created = !entry.Clip.IsValueCreated;
            clip = entry.Clip.Value;
            if (created)
            {
                lock (_gate)
                {
                    if (!entry.Counted && _entries.TryGetValue(full, out var current) && ReferenceEquals(current, entry))
                    {
                        entry.Counted = true;
                        _samples += clip.Length;
                        Loads++;
                        Evict(full);
                    }
                }
            }
        }
        catch (Exception)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(full, out var current) && ReferenceEquals(current, entry))
                {
                    _entries.Remove(full);
                }
            }

            throw;
        }

        return clip;
    }

    /// <summary>Drops a file's clip so the next <see cref="Get"/> decodes it again.</summary>
    public void Invalidate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        lock (_gate)
        {
            if (_entries.TryGetValue(full, out var entry))
            {
                Remove(full, entry);
            }
        }
    }

    private void Remove(string key, Entry entry)
    {
        _entries.Remove(key);
        if (entry.Counted)
        {
            _samples -= entry.Clip.Value.Length;
        }
    }

    private void Evict(string keep)
    {
        while (_samples > MaxSamples)
        {
            var victim = _entries.Where(e => e.Key != keep && e.Value.Counted).OrderBy(e => e.Value.LastUse).FirstOrDefault();
            if (victim.Key is null)
            {
                return;
            }

            Remove(victim.Key, victim.Value);
        }
    }

    private sealed class Entry((long, DateTime) version, Lazy<AudioClip> clip)
    {
        public (long Length, DateTime Modified) Version { get; } = version;

        public Lazy<AudioClip> Clip { get; } = clip;

        public long LastUse { get; set; }

        public bool Counted { get; set; }
    }
}
