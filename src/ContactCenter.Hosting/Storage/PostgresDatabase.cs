using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace ContactCenter.Hosting.Storage;

/// <summary>A PostgreSQL database reached by connection string (the shared store of several nodes).</summary>
internal sealed class PostgresDatabase : StorageDatabase
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new StorageException("the PostgreSQL connection string is not valid: " + ex.Message, ex);
        }

        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string ProviderName => "postgresql";

    public override IReadOnlyList<Migration> Migrations => PostgresSchema.Migrations;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(cancellationToken);

    public override DbConnection Open() => _dataSource.OpenConnection();

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    public override string? LockSql(long key) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({key});");

    public override object Time(DateTimeOffset value) => ToMicroseconds(value);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override object Id(Guid value) => value;

    public override Guid ReadId(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
