using ContactCenter.Hosting.Storage;

namespace ContactCenter.Hosting.Tests.Storage;

/// <summary>What <see cref="ICallDetailStore"/> promises, for each database.</summary>
public abstract class CallDetailStoreContract : StorageTestBase
{
    private static CallDetailRecord Record(
        int minute, string caller = "+15550001", string? agent = "1001", string? queue = "sales", CallStatus status = CallStatus.NormalEnd) => new()
    {
        Id = Guid.CreateVersion7(Start.AddMinutes(minute)),
        CallerNumber = caller,
        CalledNumber = "+18005550100",
        StartedAt = Start.AddMinutes(minute),
        EndedAt = Start.AddMinutes(minute + 3),
        Status = status,
        AgentId = agent,
        QueueId = queue,
    };

    private static CallDetailRecord Full()
    {
        var at = Start.AddTicks(1234560); // sub-second, whole microseconds
        return new CallDetailRecord
        {
            Id = Guid.CreateVersion7(at),
            Direction = CallDirection.Inbound,
            CallerNumber = "+15551234",
            CalledNumber = "+18005550100",
            StartedAt = at,
            AnsweredAt = at.AddSeconds(1),
            QueueEnteredAt = at.AddSeconds(20),
            QueueExitedAt = at.AddSeconds(50),
            AgentAnsweredAt = at.AddSeconds(52),
            EndedAt = at.AddMinutes(5),
            Status = CallStatus.Transferred,
            HangupParty = HangupParty.Agent,
            AgentId = "1001",
            QueueId = "support",
            IvrTrace = """[{"node":"menu","digits":"2"}]""",
            SurveyScore = 4,
            RecordingId = Guid.CreateVersion7(at),
            Legs =
            [
                new CallLeg("caller", "+15551234", "+18005550100", at, at.AddSeconds(1), at.AddMinutes(5), "abc@host"),
                new CallLeg("agent", "+18005550100", "sip:1001@127.0.0.1", at.AddSeconds(50), at.AddSeconds(52)),
            ],
        };
    }

    private static void AssertSame(CallDetailRecord expected, CallDetailRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Legs = [] }, actual with { Legs = [] });
        Assert.Equal(expected.Legs, actual.Legs);
    }

    [Fact]
    public async Task A_record_reads_back_with_every_field_and_its_legs()
    {
        var record = Full();

        await CallRecords.AddAsync(record);

        AssertSame(record, await CallRecords.GetAsync(record.Id));
        Assert.Null(await CallRecords.GetAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Every_status_and_hangup_party_round_trips()
    {
        var statuses = Enum.GetValues<CallStatus>();
        var parties = Enum.GetValues<HangupParty>();
        for (var i = 0; i < statuses.Length; i++)
        {
            await CallRecords.AddAsync(Record(i, status: statuses[i]) with { HangupParty = parties[i % parties.Length], Direction = CallDirection.Outbound });
        }

        var page = await CallRecords.QueryAsync(new CallDetailQuery());

        Assert.Equal(statuses, page.Items.Select(r => r.Status));
        Assert.Equal(statuses.Select((_, i) => parties[i % parties.Length]), page.Items.Select(r => r.HangupParty));
    }

    [Fact]
    public async Task Adding_a_record_twice_is_refused_and_keeps_the_first()
    {
        var record = Full();
        await CallRecords.AddAsync(record);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CallRecords.AddAsync(record with { SurveyScore = 1, Legs = [] }));

        Assert.Contains(record.Id.ToString(), error.Message, StringComparison.Ordinal);
        AssertSame(record, await CallRecords.GetAsync(record.Id));
    }

    [Fact]
    public async Task An_invalid_record_is_refused_with_the_reason()
    {
        var bad = Record(0) with { EndedAt = Start.AddMinutes(-1) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => CallRecords.AddAsync(bad));
        Assert.Contains("EndedAt", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => CallRecords.AddAsync(Record(0) with { Id = Guid.Empty }));
        Assert.Empty((await CallRecords.QueryAsync(new CallDetailQuery())).Items);
    }

    [Fact]
    public async Task Query_filters_by_time_range_start_inclusive_end_exclusive()
    {
        for (var minute = 0; minute < 5; minute++)
        {
            await CallRecords.AddAsync(Record(minute));
        }

        var page = await CallRecords.QueryAsync(new CallDetailQuery { From = Start.AddMinutes(1), To = Start.AddMinutes(3) });

        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], page.Items.Select(r => r.StartedAt));
    }

    [Fact]
    public async Task Query_filters_by_number_agent_queue_and_status_combined()
    {
        await CallRecords.AddAsync(Record(0, caller: "+1111", agent: "1001", queue: "sales"));
        await CallRecords.AddAsync(Record(1, caller: "+2222", agent: "1001", queue: "sales"));
        await CallRecords.AddAsync(Record(2, caller: "+1111", agent: "1002", queue: "support", status: CallStatus.AbandonedInQueue));
        await CallRecords.AddAsync(Record(3, caller: "+1111", agent: null, queue: "sales", status: CallStatus.AbandonedInQueue));

        async Task<int[]> Minutes(CallDetailQuery q) =>
            [.. (await CallRecords.QueryAsync(q)).Items.Select(r => (int)(r.StartedAt - Start).TotalMinutes)];

        Assert.Equal(new[] { 0, 2, 3 }, await Minutes(new CallDetailQuery { Number = "+1111" }));
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Minutes(new CallDetailQuery { Number = "+18005550100" }));
        Assert.Equal(new[] { 0, 1 }, await Minutes(new CallDetailQuery { AgentId = "1001" }));
        Assert.Equal(new[] { 2 }, await Minutes(new CallDetailQuery { QueueId = "support" }));
        Assert.Equal(new[] { 2, 3 }, await Minutes(new CallDetailQuery { Status = CallStatus.AbandonedInQueue }));
        Assert.Equal(new[] { 3 }, await Minutes(new CallDetailQuery { Number = "+1111", QueueId = "sales", Status = CallStatus.AbandonedInQueue }));
    }

    [Fact]
    public async Task Pages_cover_every_match_once_in_start_order()
    {
        var added = new List<Guid>();
        for (var minute = 0; minute < 7; minute++)
        {
            var record = Record(minute) with { Legs = [new CallLeg("caller", "+1", "+2", Start.AddMinutes(minute))] };
            added.Add(record.Id);
            await CallRecords.AddAsync(record);
        }

        var seen = new List<Guid>();
        var pages = 0;
        for (var offset = 0; ; offset += 3)
        {
            var page = await CallRecords.QueryAsync(new CallDetailQuery { Offset = offset, Limit = 3 });
            seen.AddRange(page.Items.Select(r => r.Id));
            Assert.All(page.Items, r => Assert.Single(r.Legs));
            pages++;
            if (!page.HasMore)
            {
                break;
            }
        }

        Assert.Equal(added, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_page_size_out_of_range_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CallRecords.QueryAsync(new CallDetailQuery { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CallRecords.QueryAsync(new CallDetailQuery { Limit = CallDetailQuery.MaxLimit + 1 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CallRecords.QueryAsync(new CallDetailQuery { Offset = -1 }));
    }

    [Fact]
    public async Task Deleting_older_records_removes_them_and_their_legs_only()
    {
        var old = Full();
        var recent = Record(60);
        await CallRecords.AddAsync(old);
        await CallRecords.AddAsync(recent);

        var deleted = await CallRecords.DeleteOlderThanAsync(Start.AddMinutes(30));

        Assert.Equal(1, deleted);
        Assert.Null(await CallRecords.GetAsync(old.Id));
        AssertSame(recent, await CallRecords.GetAsync(recent.Id));
    }

    [Fact]
    public async Task A_record_that_was_accepted_survives_a_restart()
    {
        var record = Full();
        await CallRecords.AddAsync(record);

        await ReopenAsync();

        AssertSame(record, await CallRecords.GetAsync(record.Id));
    }
}

public sealed class SqliteCallDetailStoreTests : CallDetailStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Sqlite();
}

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresCallDetailStoreTests(PostgresServer server) : CallDetailStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.Postgres(server);
}

public sealed class InMemoryCallDetailStoreTests : CallDetailStoreContract
{
    protected override Task<StorageOptions?> CreateOptionsAsync() => Databases.InMemory();
}
