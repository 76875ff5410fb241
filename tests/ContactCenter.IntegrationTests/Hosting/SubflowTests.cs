using ContactCenter.Hosting;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Calls;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>Sub-flows kept in the flow folder's <c>subflows</c> folder are published with the flows that call them.</summary>
public sealed class SubflowTests
{
    private const string MainFlow = """
        {
          "id": "main-with-sub", "name": "Calls a sub-flow", "start": "start",
          "nodes": [
            { "id": "start", "type": "start", "transitions": { "next": "identify" } },
            { "id": "identify", "type": "subflow", "parameters": { "flow": "identify", "version": "live" }, "transitions": { "next": "bye", "error": "failed" } },
            { "id": "bye", "type": "hangup", "parameters": { "prompt": "Goodbye." } },
            { "id": "failed", "type": "hangup" }
          ]
        }
        """;

    [Fact]
    public async Task A_flow_calls_the_sample_sub_flow_published_from_the_subflows_folder()
    {
        var identify = Path.Combine(ContactCenter.Testing.RepositoryPaths.Root, "samples", "flows", "subflows", "identify.json");
        var root = Path.Combine(Path.GetTempPath(), "cc-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "flows", "subflows"));
        File.Copy(identify, Path.Combine(root, "flows", "subflows", "identify.json"));
        await using var host = await ContactCenterTestHost.StartAsync(
            new Dictionary<string, string> { ["main-with-sub.json"] = MainFlow },
            options => options.Numbers = [new NumberOptions { Number = "+18005550100", Flow = "main-with-sub@live" }],
            root);
        await using var caller = await TestPhone.StartAsync();

        var call = await caller.CallAsync("+18005550100", host.SipEndPoint);
        Assert.Equal(SipCallState.Established, call.Call.State);
        await Task.Delay(TimeSpan.FromSeconds(0.5)); // the sub-flow asks for the customer number
        call.Rtp.SendDtmf("42#");
        await call.Call.Ended.WaitAsync(TimeSpan.FromSeconds(20));

        CallDetailRecord? record = null;
        for (var i = 0; i < 100 && record is null; i++)
        {
            record = (await host.Storage.CallRecords.QueryAsync(new CallDetailQuery { Number = "+18005550100" })).Items.SingleOrDefault();
            await Task.Delay(100);
        }

        Assert.NotNull(record);
        Assert.Equal(CallStatus.NormalEnd, record!.Status);
        Assert.Contains("\"ask\"", record.IvrTrace, StringComparison.Ordinal); // the sub-flow's node ran
        Assert.Contains("\"bye\"", record.IvrTrace, StringComparison.Ordinal); // and handed control back
    }
}
