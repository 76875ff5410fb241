using System.Diagnostics.CodeAnalysis;
using ContactCenter.Testing;

namespace ContactCenter.Dialer.Tests;

/// <summary>A scripted carrier: records what the dialer asks; tests report progress on the calls.</summary>
internal sealed class FakeCallPort : IOutboundCallPort
{
    public List<OutboundCall> Dialed { get; } = [];

    public List<(OutboundCall Call, string Agent)> Connected { get; } = [];

    public List<(OutboundCall Call, string Prompt)> ComplianceMessages { get; } = [];

    public List<(OutboundCall Call, string Flow)> Flows { get; } = [];

    public List<OutboundCall> HungUp { get; } = [];

    public Action<OutboundCall>? OnDial { get; set; }

    public void Dial(OutboundCall outboundCall)
    {
        Dialed.Add(outboundCall);
        OnDial?.Invoke(outboundCall);
    }

    public void Connect(OutboundCall outboundCall, string agentId) => Connected.Add((outboundCall, agentId));

    public void PlayComplianceMessage(OutboundCall outboundCall, string prompt) => ComplianceMessages.Add((outboundCall, prompt));

    public void StartFlow(OutboundCall outboundCall, string flowId) => Flows.Add((outboundCall, flowId));

    public void HangUp(OutboundCall outboundCall) => HungUp.Add(outboundCall);
}

/// <summary>Agents a test frees and occupies by hand.</summary>
internal sealed class FakeAgentPool(params string[] agents) : IAgentPool
{
    private readonly List<string> _free = [.. agents];

    public List<(string Agent, PreviewOffer Offer)> Offers { get; } = [];

    public List<string> Released { get; } = [];

    public int LoggedInAgents { get; set; } = agents.Length;

    public int FreeAgents => _free.Count;

    public bool IsFree(string agent) => _free.Contains(agent);

    public bool TryReserve(string? agentId, [NotNullWhen(true)] out string? reservedAgentId)
    {
        reservedAgentId = agentId is null ? _free.FirstOrDefault() : _free.FirstOrDefault(a => a == agentId);
        if (reservedAgentId is null)
        {
            return false;
        }

        _free.Remove(reservedAgentId);
        return true;
    }

    public void Release(string agentId)
    {
        Released.Add(agentId);
        _free.Add(agentId);
    }

    public void OfferPreview(string agentId, PreviewOffer offer) => Offers.Add((agentId, offer));

    /// <summary>An agent finished wrap-up.</summary>
    public void Free(string agentId) => _free.Add(agentId);
}

internal sealed class FakeMachineDetector : IAnsweringMachineDetector
{
    public List<OutboundCall> Started { get; } = [];

    public void Start(OutboundCall outboundCall) => Started.Add(outboundCall);
}

/// <summary>A dialer wired to fakes and a manual clock (Monday 2026-01-05 09:00 UTC).</summary>
internal sealed class Rig : IDisposable
{
    public Rig(int agents = 1, IAnsweringMachineDetector? amd = null, InMemoryCampaignStore? store = null, ManualTimeProvider? time = null)
    {
        Time = time ?? new ManualTimeProvider();
        Store = store ?? new InMemoryCampaignStore();
        Agents = new FakeAgentPool([.. Enumerable.Range(1, agents).Select(i => $"agent-{i}")]);
        Dialer = new OutboundDialer(Calls, Agents, Store, Time, machineDetector: amd);
    }

    public ManualTimeProvider Time { get; }

    public InMemoryCampaignStore Store { get; }

    public FakeCallPort Calls { get; } = new();

    public FakeAgentPool Agents { get; }

    public OutboundDialer Dialer { get; }

    public static CampaignSettings Settings(DialingMode mode = DialingMode.Progressive) => new()
    {
        Name = "test",
        Mode = mode,
        CallingWindows = CallingWindows.Always,
    };

    public Campaign Running(CampaignSettings settings, params string[] numbers)
    {
        var campaign = Dialer.CreateCampaign(settings);
        var result = campaign.AddContacts(numbers.Select(n => new ContactInput(n)));
        Assert.Empty(result.Errors);
        campaign.Start();
        return campaign;
    }

    /// <summary>Lets virtual time pass (the pacing tick runs every second).</summary>
    public void Wait(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>Completes a connected call: hang-up, then the agent's disposition and availability.</summary>
    public void Finish(OutboundCall call, string agent, AgentDisposition? disposition = null)
    {
        call.ReportHangUp();
        Assert.True(Dialer.SubmitDisposition(call.Id, disposition ?? AgentDisposition.Final("DONE")));
        Agents.Free(agent);
        Dialer.NotifyAgentAvailable();
    }

    public void Dispose() => Dialer.Dispose();
}
