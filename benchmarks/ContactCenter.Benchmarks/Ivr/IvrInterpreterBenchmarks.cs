using BenchmarkDotNet.Attributes;
using ContactCenter.Ivr;

namespace ContactCenter.Benchmarks.Ivr;

/// <summary>
/// Interpreter throughput for nodes without I/O (goal: at least 1,000,000 steps per second) and memory per live
/// session (goal: 100,000 concurrent sessions in at most 200 MB, i.e. about 2 KB each).
/// Run: dotnet run -c Release --project benchmarks/ContactCenter.Benchmarks -- --filter '*IvrInterpreter*' --job short
/// </summary>
[MemoryDiagnoser]
public class IvrInterpreterBenchmarks
{
    /// <summary>Loop passes per session; each pass runs counter, set and condition (3 steps).</summary>
    private const int Passes = 100_000;

    /// <summary>Steps per benchmark invocation: start, 3 per pass, the final counter pass and hangup.</summary>
    private const int StepsPerRun = 1 + (3 * Passes) + 2;

    private const int Sessions = 100_000;

    private const string LoopFlow = """
        { "id": "bench", "start": "start", "variables": { "total": "0", "tier": "gold" }, "nodes": [
          { "id": "start", "type": "start", "transitions": { "next": "count" } },
          { "id": "count", "type": "counter", "parameters": { "variable": "i", "max": 100000 }, "transitions": { "next": "set", "exhausted": "end" } },
          { "id": "set", "type": "set", "parameters": { "values": { "last": "${i}" } }, "transitions": { "next": "check" } },
          { "id": "check", "type": "condition", "parameters": { "branches": [
              { "name": "vip", "when": { "left": "${tier}", "op": "==", "right": "platinum" } } ] },
            "transitions": { "vip": "end", "default": "count" } },
          { "id": "end", "type": "hangup" } ] }
        """;

    private const string WaitingFlow = """
        { "id": "wait", "start": "start", "variables": { "tier": "gold" }, "nodes": [
          { "id": "start", "type": "start", "transitions": { "next": "set" } },
          { "id": "set", "type": "set", "parameters": { "values": { "greeting": "Hello ${sys.caller}" } }, "transitions": { "next": "menu" } },
          { "id": "menu", "type": "menu", "parameters": { "prompt": "${greeting}. For sales press 1." }, "transitions": { "1": "end", "9": "end", "failed": "end" } },
          { "id": "end", "type": "hangup" } ] }
        """;

    private CompiledFlow _loop = null!;
    private CompiledFlow _waiting = null!;
    private IvrInterpreter _traced = null!;
    private IvrInterpreter _untraced = null!;
    private NullChannel _channel = null!;
    private WaitingChannel _waitingChannel = null!;
    private Task<IvrSessionResult>[] _pending = null!;
    private long _liveBefore;

    [GlobalSetup]
    public void Setup()
    {
        _loop = CompiledFlow.Compile(LoopFlow);
        _waiting = CompiledFlow.Compile(WaitingFlow);
        _traced = new IvrInterpreter(new IvrInterpreterOptions { MaxStepsPerSession = int.MaxValue });
        _untraced = new IvrInterpreter(new IvrInterpreterOptions { MaxStepsPerSession = int.MaxValue, RecordTrace = false, MaxTraceEntries = 16 });
        _channel = new NullChannel();
        _pending = new Task<IvrSessionResult>[Sessions];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _traced.Dispose();
        _untraced.Dispose();
    }

    /// <summary>Steps without I/O, trace on (default options; the trace keeps its first 1,000 entries).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerRun)]
    public Task<IvrSessionResult> Steps_traced() => _traced.RunAsync(_loop, _channel);

    /// <summary>Steps without I/O, trace off.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerRun)]
    public Task<IvrSessionResult> Steps_untraced() => _untraced.RunAsync(_loop, _channel);

    [IterationSetup(Target = nameof(Live_sessions_waiting_for_a_key))]
    public void StartWaiting()
    {
        _waitingChannel = new WaitingChannel();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _liveBefore = GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// Starts 100,000 sessions that all wait in a menu prompt (a pending channel operation). Allocated bytes per
    /// operation are the bytes allocated per session; the live bytes per session are printed by the cleanup.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Sessions)]
    public void Live_sessions_waiting_for_a_key()
    {
        var call = new IvrCallInfo { CallerNumber = "+15550100" };
        for (var i = 0; i < Sessions; i++)
        {
            _pending[i] = _traced.RunAsync(_waiting, _waitingChannel, call);
        }
    }

    [IterationCleanup(Target = nameof(Live_sessions_waiting_for_a_key))]
    public void FinishWaiting()
    {
        var live = GC.GetTotalMemory(forceFullCollection: true) - _liveBefore;
        Console.WriteLine($"// ivr live sessions: {Sessions}, live bytes: {live}, per session: {live / Sessions} B, total: {live / (1024.0 * 1024.0):F1} MiB");
        _waitingChannel.Release('9');
        Task.WaitAll(_pending);
        Array.Clear(_pending);
    }

    private class NullChannel : IIvrChannel
    {
        public ValueTask AnswerAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public virtual ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken) => ValueTask.FromResult(PlayResult.Completed);

        public ValueTask<DigitsResult> CollectDigitsAsync(DigitsRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new DigitsResult(string.Empty, DigitsTermination.NoInput));

        public ValueTask<RecordingResult> RecordAsync(RecordingRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new RecordingResult("r", TimeSpan.Zero, false));

        public ValueTask<QueueTransferResult> TransferToQueueAsync(QueueTransferRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new QueueTransferResult(QueueTransferStatus.Completed, request.Queue, "a", 1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));

        public ValueTask<TransferResult> TransferAsync(TransferRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new TransferResult(true, null));

        public ValueTask HangUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>Every prompt waits on one shared task, as if all callers were listening to the menu at once.</summary>
    private sealed class WaitingChannel : NullChannel
    {
        private readonly TaskCompletionSource<PlayResult> _prompt = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask<PlayResult> PlayAsync(IvrPrompt prompt, CancellationToken cancellationToken) => new(_prompt.Task);

        public void Release(char key) => _prompt.SetResult(new PlayResult(key));
    }
}
