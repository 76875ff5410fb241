using System.Net;
using System.Threading.Channels;
using ContactCenter.Reference.Simulation;
using ContactCenter.Sip;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.IntegrationTests.Reference.Simulation;

/// <summary>Helpers shared by the simulation tests: a registrar on loopback, bounded waits, an event queue.</summary>
internal static class SimulationTestKit
{
    /// <summary>How long a test waits for something that happens over loopback sockets.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>Media for the simulated parties, on a port range of its own, with tone prompts (no espeak-ng run).</summary>
    public static SimulationMedia NewMedia(int firstPort) =>
        new(new SimulationMediaOptions { Speech = false, RtpPortMin = firstPort, RtpPortMax = firstPort + 199 });

    /// <summary>Waits for <paramref name="task"/> up to <see cref="Patience"/>, failing with <paramref name="what"/>.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        await Within((Task)task, what);
        return await task;
    }

    /// <summary>Waits for <paramref name="task"/> up to <see cref="Patience"/>, failing with <paramref name="what"/>.</summary>
    public static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {Patience.TotalSeconds} s waiting for {what}");
        }
    }

    /// <summary>Completes when <paramref name="call"/> reaches <paramref name="state"/> (or a later one).</summary>
    public static Task WhenState(SipCall call, SipCallState state)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.StateChanged += (_, s) =>
        {
            if (s >= state)
            {
                reached.TrySetResult();
            }
        };
        if (call.State >= state)
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }
}

/// <summary>A registrar with digest authentication on a loopback UDP port: where the simulated phones register.</summary>
internal sealed class TestRegistrar : IAsyncDisposable
{
    private TestRegistrar(SipUserAgent agent, SipRegistrar registrar)
    {
        Agent = agent;
        Registrar = registrar;
    }

    public SipUserAgent Agent { get; }

    public SipRegistrar Registrar { get; }

    public int Port => Agent.Endpoint.LocalAddresses[0].EndPoint.Port;

    public static async Task<TestRegistrar> StartAsync(Func<string, string?> passwordOf)
    {
        var options = new SipUserAgentOptions { ContactUser = "registrar" };
        options.Endpoint.Transport.Listen.Add(SipListenAddress.Parse("udp:127.0.0.1:0"));
        var agent = new SipUserAgent(options);
        var registrar = new SipRegistrar(authenticator: new DigestAuthenticator(new DigestAuthenticatorOptions()), passwordOf: passwordOf);
        agent.OtherRequest = tx => tx.Request.Method == SipMethod.Register
            ? registrar.HandleAsync(tx)
            : tx.RespondAsync(tx.Request.CreateResponse(405));
        await agent.StartAsync();
        return new TestRegistrar(agent, registrar);
    }

    /// <summary>The destination of <paramref name="extension"/>'s registered contact, and the contact itself.</summary>
    public (SipUri Contact, SipDestination Destination) Locate(string extension)
    {
        var binding = Assert.Single(Registrar.Lookup(extension));
        var contact = Assert.IsType<SipUri>(binding.Contact);
        return (contact, new SipDestination(binding.Source.Protocol, binding.Source.RemoteEndPoint));
    }

    public ValueTask DisposeAsync() => Agent.DisposeAsync();
}

/// <summary>Events raised on other threads, read in order with a bounded wait.</summary>
internal sealed class EventQueue<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();

    public void Add(T item) => _channel.Writer.TryWrite(item);

    /// <summary>The next event that matches <paramref name="match"/>, skipping others.</summary>
    public async Task<T> NextAsync(Func<T, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(SimulationTestKit.Patience);
        try
        {
            while (true)
            {
                var item = await _channel.Reader.ReadAsync(timeout.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"timed out after {SimulationTestKit.Patience.TotalSeconds} s waiting for {what}");
            throw;
        }
    }
}
