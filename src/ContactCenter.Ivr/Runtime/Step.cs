namespace ContactCenter.Ivr.Runtime;

/// <summary>What one node did: the transition it took and the node index that follows.</summary>
internal readonly struct Step
{
    /// <summary>The session ends at this node (its outcome is already set on the session).</summary>
    public const int End = -1;

    /// <summary>Return to the calling flow (a <c>return</c> node).</summary>
    public const int Return = -2;

    /// <summary>Call the sub-flow in <see cref="IvrSession.PendingCall"/>.</summary>
    public const int Call = -3;

    public Step(int next, string transition, string action, string? input = null)
    {
        Next = next;
        Transition = transition;
        Action = action;
        Input = input;
    }

    public int Next { get; }

    public string Transition { get; }

    public string Action { get; }

    public string? Input { get; }
}
