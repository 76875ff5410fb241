using System.Globalization;
using System.Text;
using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Ivr;

/// <summary>A voicemail file being written: its future index entry's id and paths.</summary>
/// <param name="Id">The recording id (a version 7 GUID).</param>
/// <param name="CallId">The call it belongs to.</param>
/// <param name="Mailbox">The mailbox, as the flow named it.</param>
/// <param name="RelativePath">The path stored in the index, relative to the data folder, with <c>/</c> separators.</param>
/// <param name="FullPath">Where the file is written.</param>
/// <param name="CreatedAt">When the recording started.</param>
internal sealed record VoicemailFile(Guid Id, Guid CallId, string Mailbox, string RelativePath, string FullPath, DateTimeOffset CreatedAt);

/// <summary>
/// Where voicemail messages go: WAV files under the storage's data folder
/// (<c>recordings/voicemail/MAILBOX/yyyy-MM-dd/ID.wav</c>) indexed in <see cref="IRecordingIndex"/>, so retention
/// and the recordings API treat them like call recordings.
/// </summary>
internal sealed class VoicemailStore
{
    /// <summary>The folder, relative to the data folder, that holds voicemail by default.</summary>
    public const string DefaultFolder = "recordings/voicemail";

    private const int MaxMailboxLength = 64;
    private readonly IRecordingIndex _index;
    private readonly Func<string, string> _resolvePath;
    private readonly string _folder;

    /// <summary>Creates a store over an index and a path resolver (relative index path to full path).</summary>
    public VoicemailStore(IRecordingIndex index, Func<string, string> resolvePath, string folder = DefaultFolder)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(resolvePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _index = index;
        _resolvePath = resolvePath;
        _folder = folder.Replace('\\', '/').TrimEnd('/');
    }

    /// <summary>Voicemail in <paramref name="storage"/>: files under its data folder, entries in its recording index.</summary>
    public static VoicemailStore For(ContactCenterStorage storage, string folder = DefaultFolder)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new VoicemailStore(storage.Recordings, storage.ResolveRecordingPath, folder);
    }

    /// <summary>Chooses the file of a new message and creates its folder.</summary>
    public VoicemailFile Create(Guid callId, string mailbox, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var id = Guid.CreateVersion7(now);
        var relative = string.Create(
            CultureInfo.InvariantCulture,
            $"{_folder}/{SafeSegment(mailbox)}/{now.UtcDateTime:yyyy-MM-dd}/{id:N}.wav");
        var full = _resolvePath(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new VoicemailFile(id, callId, mailbox, relative, full, now);
    }

    /// <summary>Indexes a finished message; the entry is stored when the task completes.</summary>
    public async Task<RecordingEntry> IndexAsync(VoicemailFile file, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var size = new FileInfo(file.FullPath).Length;
        var entry = new RecordingEntry(file.Id, file.CallId, file.RelativePath, 1, duration, size, file.CreatedAt);
        await _index.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>
    /// A mailbox name as one folder name: letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, <c>+</c> and <c>@</c> are
    /// kept, anything else (separators, <c>..</c>) becomes <c>_</c>, so a flow template cannot write outside the folder.
    /// </summary>
    public static string SafeSegment(string mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        var trimmed = mailbox.Trim();
        if (trimmed.Length == 0)
        {
            return "default";
        }

        var builder = new StringBuilder(Math.Min(trimmed.Length, MaxMailboxLength));
        foreach (var c in trimmed.AsSpan(0, Math.Min(trimmed.Length, MaxMailboxLength)))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '@' ? c : '_');
        }

        var segment = builder.ToString();
        return segment.Trim('.').Length == 0 ? segment.Replace('.', '_') : segment;
    }
}
