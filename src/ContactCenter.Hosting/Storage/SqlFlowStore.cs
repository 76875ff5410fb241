using System.Data.Common;
using ContactCenter.Ivr;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The IVR's <see cref="IFlowStore"/> in the database (SQLite or PostgreSQL): drafts replaced in place, published
/// versions append-only (adding an existing number changes nothing), aliases moved by upsert.
/// </summary>
internal sealed class SqlFlowStore(StorageDatabase database) : IFlowStore
{
    public async Task<FlowDraft?> GetDraftAsync(string flowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "SELECT flow_id, content, author, saved_at FROM flow_drafts WHERE flow_id = @flow;")
            .With("@flow", flowId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new FlowDraft(reader.GetString(0), reader.GetString(1), reader.GetString(2), database.ReadTime(reader, 3))
            : null;
    }

    public async Task SaveDraftAsync(FlowDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            INSERT INTO flow_drafts (flow_id, content, author, saved_at) VALUES (@flow, @content, @author, @at)
            ON CONFLICT (flow_id) DO UPDATE SET content = excluded.content, author = excluded.author, saved_at = excluded.saved_at;
            """)
            .With("@flow", draft.FlowId)
            .With("@content", draft.Content)
            .With("@author", draft.Author)
            .With("@at", database.Time(draft.SavedAt));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryAddVersionAsync(FlowVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            INSERT INTO flow_versions (flow_id, number, note, author, published_at, content_hash, content)
            VALUES (@flow, @number, @note, @author, @at, @hash, @content)
            ON CONFLICT (flow_id, number) DO NOTHING;
            """)
            .With("@flow", version.FlowId)
            .With("@number", version.Number)
            .With("@note", version.Note)
            .With("@author", version.Author)
            .With("@at", database.Time(version.PublishedAt))
            .With("@hash", version.ContentHash)
            .With("@content", version.Content);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<FlowVersion?> GetVersionAsync(string flowId, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        var versions = await ReadVersionsAsync("WHERE flow_id = @flow AND number = @number", flowId, number, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? null : versions[0];
    }

    public async Task<IReadOnlyList<FlowVersion>> ListVersionsAsync(string flowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        return await ReadVersionsAsync("WHERE flow_id = @flow", flowId, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAliasAsync(string flowId, string aliasName, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        ArgumentNullException.ThrowIfNull(aliasName);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            INSERT INTO flow_aliases (flow_id, alias, number) VALUES (@flow, @alias, @number)
            ON CONFLICT (flow_id, alias) DO UPDATE SET number = excluded.number;
            """)
            .With("@flow", flowId)
            .With("@alias", aliasName)
            .With("@number", number);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, int>> GetAliasesAsync(string flowId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flowId);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "SELECT alias, number FROM flow_aliases WHERE flow_id = @flow;")
            .With("@flow", flowId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var aliases = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            aliases[reader.GetString(0)] = reader.GetInt32(1);
        }

        return aliases;
    }

    public async Task<IReadOnlyList<string>> ListFlowIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "SELECT flow_id FROM flow_drafts UNION SELECT flow_id FROM flow_versions;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        // Ordinal order in .NET, whatever the database collation.
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    private async Task<List<FlowVersion>> ReadVersionsAsync(string where, string flowId, int? number, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand command = Sql.Command(connection, "SELECT flow_id, number, note, author, published_at, content_hash, content FROM flow_versions " + where + " ORDER BY number;")
            .With("@flow", flowId);
        if (number is { } n)
        {
            command.With("@number", n);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<FlowVersion>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new FlowVersion(
                reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
                database.ReadTime(reader, 4), reader.GetString(5), reader.GetString(6)));
        }

        return versions;
    }
}
