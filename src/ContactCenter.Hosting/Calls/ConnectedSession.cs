using System.Globalization;
using ContactCenter.Hosting.Events;
using ContactCenter.Hosting.Storage;
using ContactCenter.Sip.Media;

namespace ContactCenter.Hosting.Calls;

/// <summary>
/// The media of a caller connected to a leg: a relay (no decoding when codecs match), replaced by a linear mixer as
/// soon as a supervisor joins; hold; and the two-channel recording (caller left, agent right). Used only by the call's
/// own loop.
/// </summary>
internal sealed class ConnectedSession : IDisposable
{
    private readonly ContactCenterRuntime _runtime;
    private readonly ContactCall _call;
    private readonly AgentLeg _leg;
    private readonly Dictionary<AgentLeg, MixerParticipant> _supervisors = [];
    private RtpRelay? _relay;
    private AudioMixer? _mixer;
    private MixerParticipant? _callerParty;
    private MixerParticipant? _agentParty;
    private PromptPlayer? _holdMusic;
    private CallRecorder? _recorder;
    private string? _recordingPath;
    private Guid _recordingId;
    private bool _held;

    public ConnectedSession(ContactCenterRuntime runtime, ContactCall call, AgentLeg leg)
    {
        _runtime = runtime;
        _call = call;
        _leg = leg;
        call.Connected = leg;
        call.Phase = ActiveCallPhase.Talking;
    }

    private RtpSession CallerRtp => _call.CallerMedia!.Rtp;

    private RtpSession LegRtp => _leg.Media.Rtp;

    /// <summary>Relays media between caller and leg (or through the mixer when supervisors are present).</summary>
    public void Bridge()
    {
        if (_mixer is not null)
        {
            _callerParty!.Role = MixerRole.Full;
            return;
        }

        CallerRtp.Source = null;
        LegRtp.Source = null;
        _relay ??= new RtpRelay(CallerRtp, LegRtp);
    }

    /// <summary>Puts the caller on hold (hold music, the agent hears silence) or reconnects.</summary>
    public void SetHold(bool hold)
    {
        if (hold == _held)
        {
            return;
        }

        _held = hold;
        if (hold)
        {
            _holdMusic = _runtime.CreateHoldMusic();
            if (_mixer is not null)
            {
                // The caller leaves the mix (hears nobody, heard by nobody) and hears music instead.
                _callerParty!.Role = MixerRole.Held;
                CallerRtp.Source = _holdMusic;
            }
            else
            {
                _relay?.Dispose();
                _relay = null;
                CallerRtp.Source = _holdMusic;
                LegRtp.Source = null;
            }

            _call.Phase = ActiveCallPhase.Held;
        }
        else
        {
            _holdMusic?.Stop();
            _holdMusic = null;
            if (_mixer is not null)
            {
                CallerRtp.Source = _callerParty!.Output;
                _callerParty.Role = MixerRole.Full;
            }
            else
            {
                Bridge();
            }

            _call.Phase = ActiveCallPhase.Talking;
        }

        _runtime.PublishHeld(_call, hold);
    }

    /// <summary>Starts the two-channel recording when recording is enabled.</summary>
    public void StartRecording()
    {
        if (!_runtime.RecordingEnabled || _recorder is not null)
        {
            return;
        }

        var now = _runtime.Now;
        _recordingId = Guid.CreateVersion7(now);
        _recordingPath = Path.Combine("recordings", now.ToString("yyyy", CultureInfo.InvariantCulture), now.ToString("MM", CultureInfo.InvariantCulture), now.ToString("dd", CultureInfo.InvariantCulture), $"{_call.Id:N}-{_recordingId:N}.wav");
        var full = _runtime.Storage.ResolveRecordingPath(_recordingPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _recorder = new CallRecorder(full);
        CallerRtp.AddSink(_recorder.Caller);
        LegRtp.AddSink(_recorder.Agent);
        _call.Recorder = _recorder;
        _call.RecordingId ??= _recordingId;
    }

    /// <summary>Closes the recording, indexes it and announces it.</summary>
    public async Task FinishRecordingAsync()
    {
        if (_recorder is not { } recorder)
        {
            return;
        }

        _recorder = null;
        CallerRtp.RemoveSink(recorder.Caller);
        LegRtp.RemoveSink(recorder.Agent);
        var duration = recorder.Duration;
        await recorder.DisposeAsync().ConfigureAwait(false);
        _call.Recorder = null;
        var full = _runtime.Storage.ResolveRecordingPath(_recordingPath!);
        var size = File.Exists(full) ? new FileInfo(full).Length : 0;
        var entry = new RecordingEntry(_recordingId, _call.Id, _recordingPath!, 2, duration, size, _runtime.Now);
        await _runtime.Storage.Recordings.AddAsync(entry).ConfigureAwait(false);
        _runtime.PublishEvent(ContactCenterEventTypes.RecordingReady, ContactCenterEventCategory.Recording, new()
        {
            ["recordingId"] = entry.Id,
            ["callId"] = _call.Id,
            ["path"] = entry.Path,
            ["durationSeconds"] = duration.TotalSeconds,
        });
    }

    /// <summary>Pauses or resumes the recording.</summary>
    public bool SetRecordingPaused(bool paused)
    {
        if (_recorder is null)
        {
            return false;
        }

        if (paused)
        {
            _recorder.Pause();
        }
        else
        {
            _recorder.Resume();
        }

        return true;
    }

    /// <summary>A supervisor leg answered: switch to the mixer (if not yet) and add the supervisor in <paramref name="mode"/>.</summary>
    public void Join(AgentLeg supervisor, MonitorMode mode)
    {
        if (_mixer is null)
        {
            _relay?.Dispose();
            _relay = null;
            _mixer = new AudioMixer(_runtime.Media.Clock);
            _callerParty = _mixer.Add("caller", _held ? MixerRole.Held : MixerRole.Full);
            _agentParty = _mixer.Add("agent");
            CallerRtp.AddSink(_callerParty.Input);
            LegRtp.AddSink(_agentParty.Input);
            CallerRtp.Source = _held ? _holdMusic : _callerParty.Output;
            LegRtp.Source = _agentParty.Output;
        }

        var party = _mixer.Add("supervisor " + supervisor.AgentId);
        Apply(party, mode);
        supervisor.Media.Rtp.AddSink(party.Input);
        supervisor.Media.Rtp.Source = party.Output;
        _supervisors[supervisor] = party;
    }

    /// <summary>Changes the mode of a supervisor already on the call; false when the supervisor is not on it.</summary>
    public bool ChangeMode(string supervisorId, MonitorMode mode)
    {
        foreach (var (leg, party) in _supervisors)
        {
            if (leg.AgentId == supervisorId)
            {
                Apply(party, mode);
                return true;
            }
        }

        return false;
    }

    /// <summary>A supervisor hung up.</summary>
    public void RemoveMonitor(AgentLeg supervisor)
    {
        if (_supervisors.Remove(supervisor, out var party))
        {
            supervisor.Media.Rtp.RemoveSink(party.Input);
            supervisor.Media.Rtp.Source = null;
            _mixer!.Remove(party);
        }
    }

    public IEnumerable<AgentLeg> Supervisors => _supervisors.Keys;

    public void Dispose()
    {
        _relay?.Dispose();
        _relay = null;
        _holdMusic?.Stop();
        if (_mixer is not null)
        {
            foreach (var supervisor in _supervisors.Keys.ToList())
            {
                RemoveMonitor(supervisor);
            }

            CallerRtp.RemoveSink(_callerParty!.Input);
            LegRtp.RemoveSink(_agentParty!.Input);
            CallerRtp.Source = null;
            LegRtp.Source = null;
            _mixer.Dispose();
            _mixer = null;
        }
    }

    private void Apply(MixerParticipant party, MonitorMode mode)
    {
        party.Role = mode switch
        {
            MonitorMode.Listen => MixerRole.Listen,
            MonitorMode.Whisper => MixerRole.Whisper,
            _ => MixerRole.Full,
        };
        party.WhisperTarget = mode == MonitorMode.Whisper ? _agentParty : null;
    }
}
