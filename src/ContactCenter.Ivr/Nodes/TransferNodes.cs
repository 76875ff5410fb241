using System.Globalization;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary>A node failure that takes the node's error branch (or ends the session with an error).</summary>
internal sealed class NodeFailedException(string message) : Exception(message);

/// <summary><c>queue</c>: transfers to an ACD queue with priority, skills, overflow queue, hold prompt and attached data.</summary>
internal sealed class QueueNode : NodeBase
{
    private readonly Template _queue;
    private readonly int _priority;
    private readonly Template? _priorityTemplate;
    private readonly string[] _skills;
    private readonly Template? _overflowQueue;
    private readonly TimeSpan? _overflowAfter;
    private readonly PromptSpec? _prompt;
    private readonly (string Key, Template Value)[] _data;
    private readonly int _next;
    private readonly int _overflow;

    public QueueNode(NodeReader reader)
        : base(reader)
    {
        _queue = reader.Template("queue", required: true) ?? Template.Empty;
        if (reader.PeekKind("priority") == System.Text.Json.JsonValueKind.String)
        {
            _priorityTemplate = reader.Template("priority", required: false);
        }
        else
        {
            _priority = reader.Int("priority", 0, 0, 100);
        }
        _skills = [.. reader.StringList("skills")];
        _overflowQueue = reader.Template("overflowQueue", required: false);
        _overflowAfter = reader.Has("overflowAfterSeconds") ? reader.Seconds("overflowAfterSeconds", 60, 1, 86400) : null;
        _prompt = PromptSpec.Read(reader, "prompt", required: false);
        _data = [.. reader.TemplateMap("data", required: false)];
        _next = reader.Transition(TransitionNames.Next, required: false);
        _overflow = reader.Transition(TransitionNames.Overflow, required: false);
        reader.IsEnd = _next < 0;
    }

    /// <summary>The fixed priority, or the rendered template clamped to 0-100 (0 when not a number).</summary>
    private int Priority(IvrSession session)
    {
        if (_priorityTemplate is null)
        {
            return _priority;
        }

        return int.TryParse(session.Render(_priorityTemplate), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? Math.Clamp(value, 0, 100)
            : 0;
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var queue = session.Render(_queue);
        var data = new Dictionary<string, string>(_data.Length, StringComparer.Ordinal);
        foreach (var (key, value) in _data)
        {
            data[key] = session.Render(value);
        }

        var prompt = _prompt is null ? null : await _prompt.ResolveAsync(session, interruptible: false).ConfigureAwait(false);
        var request = new QueueTransferRequest(
            queue,
            Priority(session),
            _skills,
            _overflowQueue is null ? null : session.Render(_overflowQueue),
            _overflowAfter,
            prompt,
            data);
        session.Queue = queue;
        var result = await session.Channel.TransferToQueueAsync(request, session.CancellationToken).ConfigureAwait(false);
        var values = session.Values;
        values[SystemVariables.QueuePositionSlot] = result.InitialPosition.ToString(CultureInfo.InvariantCulture);
        values[SystemVariables.ExpectedWaitSlot] = ((int)result.ExpectedWait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        values[SystemVariables.AgentIdSlot] = result.AgentId ?? string.Empty;
        values[SystemVariables.RingSecondsSlot] = ((int)result.RingDuration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        values[SystemVariables.TalkSecondsSlot] = ((int)result.TalkDuration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        session.Queue = result.ServedByQueue;
        session.AgentId = result.AgentId;

        switch (result.Status)
        {
            case QueueTransferStatus.Completed when _next >= 0:
                session.Outcome = IvrOutcome.TransferToQueue;
                return new Step(_next, TransitionNames.Next, "queue", result.ServedByQueue);
            case QueueTransferStatus.Completed:
                session.Outcome = IvrOutcome.TransferToQueue;
                return new Step(Step.End, "transfer", "queue", result.ServedByQueue);
            case QueueTransferStatus.Overflow when _overflow >= 0:
                return new Step(_overflow, TransitionNames.Overflow, "queue", result.ServedByQueue);
            case QueueTransferStatus.Overflow:
                throw new NodeFailedException($"queue '{queue}' overflowed and the node has no 'overflow' transition");
            default:
                throw new NodeFailedException($"transfer to queue '{queue}' failed");
        }
    }
}

/// <summary><c>transfer</c> (external number) and <c>extension</c>: a blind transfer that ends the session when connected.</summary>
internal sealed class TransferNode : NodeBase
{
    private readonly TransferTarget _target;
    private readonly Template _destination;
    private readonly Template? _callerId;
    private readonly TimeSpan _ringTimeout;
    private readonly int _failed;

    public TransferNode(NodeReader reader, TransferTarget target)
        : base(reader)
    {
        _target = target;
        _destination = reader.Template(target == TransferTarget.Number ? "number" : "extension", required: true) ?? Template.Empty;
        _callerId = target == TransferTarget.Number ? reader.Template("callerId", required: false) : null;
        _ringTimeout = reader.Seconds("ringTimeoutSeconds", 30, 1, 300);
        _failed = reader.Transition(TransitionNames.Failed, required: false);
        reader.IsEnd = true;
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var destination = session.Render(_destination);
        var request = new TransferRequest(_target, destination, _callerId is null ? null : session.Render(_callerId), _ringTimeout);
        var result = await session.Channel.TransferAsync(request, session.CancellationToken).ConfigureAwait(false);
        if (result.Connected)
        {
            session.TransferDestination = destination;
            session.Outcome = _target == TransferTarget.Number ? IvrOutcome.TransferToNumber : IvrOutcome.TransferToExtension;
            return new Step(Step.End, "transfer", "transfer", destination);
        }

        if (_failed >= 0)
        {
            return new Step(_failed, TransitionNames.Failed, "transfer", result.Reason ?? "failed");
        }

        throw new NodeFailedException($"transfer to '{destination}' failed: {result.Reason ?? "no reason given"}");
    }
}
