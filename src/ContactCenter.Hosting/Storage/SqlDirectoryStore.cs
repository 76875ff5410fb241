using System.Text.Json;
using System.Text.Json.Serialization;
using ContactCenter.Hosting.Agents;
using ContactCenter.Hosting.Numbers;

namespace ContactCenter.Hosting.Storage;

/// <summary>
/// The agents and number bindings created or changed through the API (configuration is applied at every start;
/// what is stored here is applied on top, so API changes survive restarts). Written before the API answers.
/// </summary>
internal sealed class SqlDirectoryStore(StorageDatabase database, TimeProvider time)
{
    public async Task SaveAgentAsync(AgentProfile profile, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            INSERT INTO directory_agents (id, profile, updated_at) VALUES (@id, @profile, @at)
            ON CONFLICT (id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at;
            """)
            .With("@id", profile.Id)
            .With("@profile", JsonSerializer.Serialize(StoredAgent.From(profile), DirectoryJson.Default.StoredAgent))
            .With("@at", database.Time(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AgentProfile>> LoadAgentsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "SELECT profile FROM directory_agents ORDER BY id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var agents = new List<AgentProfile>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            agents.Add(JsonSerializer.Deserialize(reader.GetString(0), DirectoryJson.Default.StoredAgent)!.ToProfile());
        }

        return agents;
    }

    public async Task SaveNumberAsync(NumberBinding binding, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, """
            INSERT INTO directory_numbers (number, flow, max_concurrent_calls, updated_at) VALUES (@number, @flow, @cap, @at)
            ON CONFLICT (number) DO UPDATE SET flow = excluded.flow, max_concurrent_calls = excluded.max_concurrent_calls, updated_at = excluded.updated_at;
            """)
            .With("@number", binding.Number)
            .With("@flow", binding.Flow)
            .With("@cap", binding.MaxConcurrentCalls is { } cap ? cap : DBNull.Value)
            .With("@at", database.Time(time.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveNumberAsync(string number, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "DELETE FROM directory_numbers WHERE number = @number;").With("@number", number);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<NumberBinding>> LoadNumbersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, "SELECT number, flow, max_concurrent_calls FROM directory_numbers ORDER BY number;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var numbers = new List<NumberBinding>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            numbers.Add(new NumberBinding
            {
                Number = reader.GetString(0),
                Flow = reader.GetString(1),
                MaxConcurrentCalls = reader.IsDBNull(2) ? null : Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        return numbers;
    }
}

/// <summary>An agent profile as stored (the password is kept: it is the extension's SIP secret).</summary>
internal sealed record StoredAgent(string Id, string? Name, string? Extension, string? Password, Dictionary<string, int> Skills, List<string> Queues, List<string> Roles)
{
    public static StoredAgent From(AgentProfile p) =>
        new(p.Id, p.Name, p.Extension, p.Password, new Dictionary<string, int>(p.Skills), [.. p.Queues], [.. p.Roles]);

    public AgentProfile ToProfile() =>
        new() { Id = Id, Name = Name, Extension = Extension, Password = Password, Skills = Skills, Queues = Queues, Roles = Roles };
}

[JsonSerializable(typeof(StoredAgent))]
internal sealed partial class DirectoryJson : JsonSerializerContext
{
}
