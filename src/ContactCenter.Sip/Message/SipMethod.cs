using System.Text;
using ContactCenter.Sip.Internal.Parsing;

namespace ContactCenter.Sip;

/// <summary>A SIP request method. Methods are case-sensitive tokens (RFC 3261 §7.1); the well-known ones are shared instances.</summary>
public sealed class SipMethod : IEquatable<SipMethod>
{
    /// <summary>INVITE (RFC 3261).</summary>
    public static readonly SipMethod Invite = new("INVITE");

    /// <summary>ACK (RFC 3261).</summary>
    public static readonly SipMethod Ack = new("ACK");

    /// <summary>BYE (RFC 3261).</summary>
    public static readonly SipMethod Bye = new("BYE");

    /// <summary>CANCEL (RFC 3261).</summary>
    public static readonly SipMethod Cancel = new("CANCEL");

    /// <summary>OPTIONS (RFC 3261).</summary>
    public static readonly SipMethod Options = new("OPTIONS");

    /// <summary>REGISTER (RFC 3261).</summary>
    public static readonly SipMethod Register = new("REGISTER");

    /// <summary>PRACK (RFC 3262).</summary>
    public static readonly SipMethod Prack = new("PRACK");

    /// <summary>SUBSCRIBE (RFC 6665).</summary>
    public static readonly SipMethod Subscribe = new("SUBSCRIBE");

    /// <summary>NOTIFY (RFC 6665).</summary>
    public static readonly SipMethod Notify = new("NOTIFY");

    /// <summary>REFER (RFC 3515).</summary>
    public static readonly SipMethod Refer = new("REFER");

    /// <summary>INFO (RFC 6086).</summary>
    public static readonly SipMethod Info = new("INFO");

    /// <summary>UPDATE (RFC 3311).</summary>
    public static readonly SipMethod Update = new("UPDATE");

    /// <summary>MESSAGE (RFC 3428).</summary>
    public static readonly SipMethod Message = new("MESSAGE");

    /// <summary>PUBLISH (RFC 3903).</summary>
    public static readonly SipMethod Publish = new("PUBLISH");

    private static readonly SipMethod[] Known = [Invite, Ack, Bye, Cancel, Options, Register, Prack, Subscribe, Notify, Refer, Info, Update, Message, Publish];

    private SipMethod(string name) => Name = name;

    /// <summary>The method name as it appears on the wire.</summary>
    public string Name { get; }

    /// <summary>Returns the method with this name (a shared instance for the well-known ones).</summary>
    /// <exception cref="ArgumentException">The name is not a token.</exception>
    public static SipMethod Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var m in Known)
        {
            if (m.Name == name)
            {
                return m;
            }
        }

        if (!Ascii.IsValid(name) || !SipGrammar.IsToken(Encoding.ASCII.GetBytes(name)))
        {
            throw new ArgumentException($"'{name}' is not a SIP method: a method is a token.", nameof(name));
        }

        return new SipMethod(name);
    }

    internal static SipMethod FromBytes(ReadOnlySpan<byte> name)
    {
        foreach (var m in Known)
        {
            if (m.Name.Length == name.Length && Ascii.Equals(name, m.Name))
            {
                return m;
            }
        }

        return new SipMethod(Encoding.ASCII.GetString(name));
    }

    /// <inheritdoc />
    public bool Equals(SipMethod? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SipMethod);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Compares two methods by name (case-sensitive).</summary>
    public static bool operator ==(SipMethod? left, SipMethod? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two methods by name (case-sensitive).</summary>
    public static bool operator !=(SipMethod? left, SipMethod? right) => !(left == right);
}
