namespace ContactCenter.Hosting.Numbers;

/// <summary>A called number (DID) bound to an IVR flow.</summary>
public sealed record NumberBinding
{
    /// <summary>The number as dialed, E.164 recommended (for example <c>+18005550100</c>).</summary>
    public required string Number { get; init; }

    /// <summary>The flow to run, as a reference: <c>main@live</c> (alias) or <c>main@3</c> (version).</summary>
    public required string Flow { get; init; }

    /// <summary>The most concurrent calls on this number; more get 486 Busy. Null: no limit of its own.</summary>
    public int? MaxConcurrentCalls { get; init; }
}

/// <summary>Thrown by <see cref="INumberDirectory"/> for a bad binding; the message names the field.</summary>
public sealed class NumberDirectoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NumberDirectoryException()
        : base("The number request failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NumberDirectoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public NumberDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The numbers the contact center answers and the flows they run.</summary>
public interface INumberDirectory
{
    /// <summary>Every binding.</summary>
    IReadOnlyList<NumberBinding> List();

    /// <summary>The binding of a number (compared digits-only, so <c>+1 800 555 0100</c> finds <c>+18005550100</c>), or null.</summary>
    NumberBinding? Find(string number);

    /// <summary>Creates or replaces a binding (validated: number, flow reference, cap).</summary>
    Task BindAsync(NumberBinding binding, CancellationToken cancellationToken = default);

    /// <summary>Removes a binding; returns false when there was none.</summary>
    Task<bool> RemoveAsync(string number, CancellationToken cancellationToken = default);

    /// <summary>How many calls to the number are in progress.</summary>
    int ActiveCalls(string number);
}
