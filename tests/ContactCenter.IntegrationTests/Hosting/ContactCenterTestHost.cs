using System.Net;
using ContactCenter.Hosting;
using ContactCenter.Hosting.Calls;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Storage;
using ContactCenter.Ivr;
using ContactCenter.Routing;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContactCenter.IntegrationTests.Hosting;

/// <summary>A whole contact center (AddContactCenter) on loopback port 0 with a temporary data folder and flows.</summary>
internal sealed class ContactCenterTestHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _root;
    private Task? _stopping;

    private ContactCenterTestHost(IHost host, string root)
    {
        _host = host;
        _root = root;
    }

    public IServiceProvider Services => _host.Services;

    public ContactCenterRuntime Runtime => Services.GetRequiredService<ContactCenterRuntime>();

    public ContactCenterStorage Storage => Services.GetRequiredService<ContactCenterStorage>();

    public ContactCenter.Dialer.OutboundDialer Dialer => Services.GetRequiredService<ContactCenter.Dialer.OutboundDialer>();

    public ContactCenterEventHub Events => Services.GetRequiredService<ContactCenterEventHub>();

    public RoutingEngine Routing => Services.GetRequiredService<RoutingEngine>();

    public IPEndPoint SipEndPoint => Runtime.SipEndPoints.First(e => e.Protocol == SipTransportProtocol.Udp).EndPoint;

    public string? AgentState(string agentId) => Services.GetRequiredService<ContactCenter.Hosting.Agents.IAgentDirectory>().Find(agentId)?.State;

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Starts a contact center with the given flows (file name to JSON) and options.</summary>
    public static async Task<ContactCenterTestHost> StartAsync(IReadOnlyDictionary<string, string> flows, Action<ContactCenterOptions> configure, string? root = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "cc-host-" + Guid.NewGuid().ToString("N"));
        var flowDirectory = Path.Combine(root, "flows");
        Directory.CreateDirectory(flowDirectory);
        foreach (var (name, json) in flows)
        {
            await File.WriteAllTextAsync(Path.Combine(flowDirectory, name), json);
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddContactCenter(options =>
        {
            options.Sip.Listen = ["udp:127.0.0.1:0"];
            options.Media.RtpPortMin = 41000;
            options.Media.RtpPortMax = 45999;
            options.Storage.DataDirectory = Path.Combine(root, "data");
            options.Flows.Directory = flowDirectory;
            options.Hold.AnnouncementInterval = TimeSpan.Zero;
            options.DrainTimeout = TimeSpan.FromSeconds(1);
            configure(options);
        }).UseTextToSpeech(new ToneSpeech(Path.Combine(root, "tts")));
        var host = builder.Build();
        await host.StartAsync();
        return new ContactCenterTestHost(host, root);
    }

    public string Root => _root;

    public bool KeepDataOnDispose { get; set; }

    /// <summary>Begins stopping the host (new calls refused, calls in progress drain); disposing waits for the same stop.</summary>
    public Task StopAsync() => _stopping ??= _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
        if (KeepDataOnDispose)
        {
            return;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>"Speaks" every text as a 200 ms tone, so tests need no espeak-ng and stay fast.</summary>
    private sealed class ToneSpeech(string directory) : ITextToSpeech
    {
        public ValueTask<string> SynthesizeAsync(string text, string voice, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, "tone.wav");
            lock (this)
            {
                if (!File.Exists(path))
                {
                    var samples = new short[1600];
                    for (var i = 0; i < samples.Length; i++)
                    {
                        samples[i] = (short)(3000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
                    }

                    using var file = File.Create(path);
                    WavFile.Write(file, new AudioClip(samples, "tone"));
                }
            }

            return ValueTask.FromResult(path);
        }
    }
}
