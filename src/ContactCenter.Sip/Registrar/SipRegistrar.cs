using System.Collections.Concurrent;
using System.Globalization;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Transactions;

namespace ContactCenter.Sip.Registrar;

/// <summary>
/// A registrar (RFC 3261 §10.3) for agent phones: optional digest challenge (401), bindings with expiry,
/// several contacts per address, unregister (one contact or <c>*</c>), 423 with Min-Expires, and
/// <see cref="Lookup"/> to reach an extension. Addresses of record are the To URI's user part. Thread-safe.
/// </summary>
public sealed class SipRegistrar
{
    private readonly SipRegistrarOptions _options;
    private readonly DigestAuthenticator? _authenticator;
    private readonly Func<string, string?>? _passwordOf;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, List<SipBinding>> _bindings = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registrar.</summary>
    /// <param name="options">Expiry limits; null for the defaults.</param>
    /// <param name="authenticator">Challenges REGISTERs when given; null accepts them unauthenticated.</param>
    /// <param name="passwordOf">The password of a user name (the extension), null for an unknown one; required with an authenticator.</param>
    /// <param name="timeProvider">The clock for expiry; null for the system clock.</param>
    /// <exception cref="ArgumentException">Invalid options, or an authenticator without a password lookup.</exception>
    public SipRegistrar(
        SipRegistrarOptions? options = null,
        DigestAuthenticator? authenticator = null,
        Func<string, string?>? passwordOf = null,
        TimeProvider? timeProvider = null)
    {
        _options = options ?? new SipRegistrarOptions();
        _options.Validate();
        if (authenticator is not null && passwordOf is null)
        {
            throw new ArgumentException("A registrar with an authenticator needs a password lookup.", nameof(passwordOf));
        }

        _authenticator = authenticator;
        _passwordOf = passwordOf;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised after the bindings of an address change (added, refreshed, removed, expired).</summary>
    public event Action<string>? BindingsChanged;

    /// <summary>The live contacts of <paramref name="addressOfRecord"/>, most preferred first.</summary>
    public IReadOnlyList<SipBinding> Lookup(string addressOfRecord)
    {
        ArgumentNullException.ThrowIfNull(addressOfRecord);
        if (!_bindings.TryGetValue(addressOfRecord, out var list))
        {
            return [];
        }

        var now = _time.GetUtcNow();
        lock (list)
        {
            var expired = list.RemoveAll(b => b.ExpiresAt <= now);
            var live = list.OrderByDescending(b => b.Q).ThenByDescending(b => b.ExpiresAt).ToList();
            if (expired > 0)
            {
                BindingsChanged?.Invoke(addressOfRecord);
            }

            return live;
        }
    }

    /// <summary>
    /// Drops every binding that expired, raising <see cref="BindingsChanged"/> once for each address that lost one, and
    /// returns how many went. A phone that vanished without unregistering is noticed here, not only when someone looks
    /// its address up: call this periodically (a contact center logs such an agent out).
    /// </summary>
    public int RemoveExpired()
    {
        var now = _time.GetUtcNow();
        var removed = 0;
        foreach (var (address, list) in _bindings)
        {
            int expired;
            lock (list)
            {
                expired = list.RemoveAll(b => b.ExpiresAt <= now);
            }

            if (expired > 0)
            {
                removed += expired;
                BindingsChanged?.Invoke(address);
            }
        }

        return removed;
    }

    /// <summary>The addresses of record with at least one live contact.</summary>
    public IReadOnlyList<string> RegisteredAddresses() => [.. _bindings.Keys.Where(k => Lookup(k).Count > 0)];

    /// <summary>Answers a REGISTER received in <paramref name="transaction"/>.</summary>
    /// <exception cref="ArgumentException">The transaction's request is not a REGISTER.</exception>
    public async ValueTask HandleAsync(SipServerTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var response = Process(transaction.Request, transaction.Source);
        await transaction.RespondAsync(response, cancellationToken);
    }

    /// <summary>Applies a REGISTER and returns the response to send (RFC 3261 §10.3 steps 1-8).</summary>
    /// <param name="register">The REGISTER.</param>
    /// <param name="source">Where it came from; kept with each binding so requests can cross the phone's NAT.</param>
    /// <exception cref="ArgumentException">The request is not a REGISTER.</exception>
    public SipResponse Process(SipRequest register, Transport.SipRemote source)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (register.Method != SipMethod.Register)
        {
            throw new ArgumentException($"The registrar handles REGISTER, not {register.Method}.", nameof(register));
        }

        if (register.To?.Uri is not SipUri { User: { Length: > 0 } aor })
        {
            return register.CreateResponse(404, "Not Found");
        }

        if (_authenticator is not null)
        {
            var authorization = register.Headers["Authorization"];
            var verdict = _authenticator.Verify(authorization, "REGISTER", _passwordOf!, register.RequestUri.ToString());
            if (!verdict.IsAuthenticated)
            {
                var challenge = register.CreateResponse(401, "Unauthorized");
                foreach (var c in _authenticator.CreateChallenges(stale: verdict.Verdict == DigestVerdict.Stale))
                {
                    challenge.Headers.Add("WWW-Authenticate", c.ToString());
                }

                return challenge;
            }

            if (!string.Equals(verdict.Username, aor, StringComparison.OrdinalIgnoreCase))
            {
                return register.CreateResponse(403, "Forbidden: credentials are not for this address");
            }
        }

        var now = _time.GetUtcNow();
        var list = _bindings.GetOrAdd(aor, _ => []);
        lock (list)
        {
            list.RemoveAll(b => b.ExpiresAt <= now);
            if (register.IsContactWildcard)
            {
                if (register.Expires != 0 || register.Headers.GetValues("Contact").Count > 1)
                {
                    return register.CreateResponse(400, "Contact * needs Expires: 0 and no other contact");
                }

                list.RemoveAll(b => !Older(b, register));
            }
            else
            {
                foreach (var contact in register.Contact)
                {
                    var requested = contact.Expires ?? register.Expires ?? (long)_options.DefaultExpires.TotalSeconds;
                    var existing = list.FindIndex(b => b.Contact == contact.Uri);
                    if (existing >= 0 && Older(list[existing], register))
                    {
                        continue; // RFC 3261 §10.3 step 7: an out-of-order REGISTER changes nothing
                    }

                    if (requested == 0)
                    {
                        if (existing >= 0)
                        {
                            list.RemoveAt(existing);
                        }

                        continue;
                    }

                    if (requested < _options.MinExpires.TotalSeconds)
                    {
                        var tooBrief = register.CreateResponse(423, "Interval Too Brief");
                        tooBrief.Headers.Add("Min-Expires", ((long)_options.MinExpires.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                        return tooBrief;
                    }

                    var granted = TimeSpan.FromSeconds(Math.Min(requested, _options.MaxExpires.TotalSeconds));
                    var binding = new SipBinding(aor, contact.Uri, source, now + granted, contact.Q ?? 1.0, register.CallId ?? "", register.CSeq?.Sequence ?? 0);
                    if (existing >= 0)
                    {
                        list[existing] = binding;
                    }
                    else if (list.Count >= _options.MaxContactsPerAddress)
                    {
                        return register.CreateResponse(403, $"Forbidden: at most {_options.MaxContactsPerAddress} contacts");
                    }
                    else
                    {
                        list.Add(binding);
                    }
                }
            }

            var ok = register.CreateResponse(200);
            foreach (var b in list)
            {
                var remaining = (long)Math.Ceiling((b.ExpiresAt - now).TotalSeconds);
                ok.Headers.Add("Contact", $"<{b.Contact}>;expires={remaining.ToString(CultureInfo.InvariantCulture)}");
            }

            ok.Headers.Add("Date", now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
            ok.Headers.Add("Content-Length", "0");
            BindingsChanged?.Invoke(aor);
            return ok;
        }
    }

    private static bool Older(SipBinding binding, SipRequest register) =>
        binding.CallId == register.CallId && register.CSeq is { } cseq && cseq.Sequence <= binding.CSeq;
}
