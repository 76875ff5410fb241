using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using ContactCenter.Sip;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Calls;
using ContactCenter.Sip.Media;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;

namespace ContactCenter.Cli.Sip;

/// <summary>
/// <c>contactcenter sip serve</c>: a standalone SIP endpoint for conformance, interop and trunk debugging. It
/// answers OPTIONS, acts as a registrar when asked, answers INVITEs as told (by default 200 with an SDP answer),
/// hangs up after a while when asked, logs each message on one line, and stops cleanly on Ctrl+C.
/// Signalling only: the SDP answer names a port, but no RTP is sent or received.
/// </summary>
internal static class SipServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen")
        {
            Description = "Where to listen, PROTOCOL:ADDRESS:PORT (udp, tcp); repeat for several.",
            DefaultValueFactory = _ => ["udp:127.0.0.1:5080"],
            HelpName = "udp:127.0.0.1:5080",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var answer = new Option<int>("--answer")
        {
            Description = "How to answer INVITEs: 200 (answer with SDP), 180 or 183 (ring until cancelled), or a final code 300-699 (reject).",
            DefaultValueFactory = _ => 200,
            HelpName = "CODE",
        };
        var hangupAfter = new Option<double>("--hangup-after")
        {
            Description = "Send BYE this many seconds after answering; 0 waits for the caller's BYE.",
            DefaultValueFactory = _ => 0,
            HelpName = "SECONDS",
        };
        var registrar = new Option<bool>("--registrar") { Description = "Accept REGISTER and keep bindings (with --auth: challenge them)." };
        var auth = new Option<string[]>("--auth")
        {
            Description = "Require digest authentication for REGISTER and INVITE with these credentials, USER:PASSWORD; repeat for several.",
            HelpName = "USER:PASSWORD",
            AllowMultipleArgumentsPerToken = false,
        };
        var quiet = new Option<bool>("--quiet") { Description = "Do not log each message (for load tests)." };

        var command = new Command("serve", "Run a standalone SIP endpoint for conformance, interop and trunk debugging.");
        command.Options.Add(listen);
        command.Options.Add(answer);
        command.Options.Add(hangupAfter);
        command.Options.Add(registrar);
        command.Options.Add(auth);
        command.Options.Add(quiet);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var addresses = new List<SipListenAddress>();
            foreach (var value in parse.GetValue(listen) ?? [])
            {
                try
                {
                    var address = SipListenAddress.Parse(value);
                    if (address.Protocol == SipTransportProtocol.Tls)
                    {
                        errors.Add($"--listen {value}: TLS needs a certificate; sip serve listens on udp and tcp only");
                    }

                    addresses.Add(address);
                }
                catch (FormatException e)
                {
                    errors.Add($"--listen {e.Message}");
                }
            }

            var code = parse.GetValue(answer);
            if (code is not (180 or 183 or 200) && code is < 300 or > 699)
            {
                errors.Add($"--answer {code}: use 200, 180, 183 or a final code from 300 to 699");
            }

            var hangup = parse.GetValue(hangupAfter);
            if (hangup < 0)
            {
                errors.Add("--hangup-after must not be negative");
            }

            var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(auth) ?? [])
            {
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    errors.Add($"--auth '{pair}': expected USER:PASSWORD");
                    continue;
                }

                credentials[pair[..colon]] = pair[(colon + 1)..];
            }

            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync(error);
                }

                return ExitCodes.Usage;
            }

            return await RunAsync(addresses, code, TimeSpan.FromSeconds(hangup), parse.GetValue(registrar), credentials, parse.GetValue(quiet), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        IReadOnlyList<SipListenAddress> listen, int answerCode, TimeSpan hangupAfter, bool registrar,
        Dictionary<string, string> credentials, bool quiet, CancellationToken cancellationToken)
    {
        var output = TextWriter.Synchronized(Console.Out);
        var options = new SipUserAgentOptions { ContactUser = "serve" };
        foreach (var address in listen)
        {
            options.Endpoint.Transport.Listen.Add(address);
        }

        if (!quiet)
        {
            options.Endpoint.Transport.Trace = (outbound, message, protocol, remote) => output.WriteLine(Describe(outbound, message, protocol, remote));
        }

        await using var agent = new SipUserAgent(options);
        var authenticator = credentials.Count > 0 ? new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "contactcenter" }) : null;
        string? PasswordOf(string user) => credentials.GetValueOrDefault(user);
        var bindings = registrar ? new SipRegistrar(null, authenticator, authenticator is null ? null : PasswordOf) : null;
        var rtpPort = 0;
        agent.OtherRequest = async transaction =>
        {
            if (bindings is not null && transaction.Request.Method == SipMethod.Register)
            {
                await bindings.HandleAsync(transaction, cancellationToken);
                return;
            }

            await transaction.RespondAsync(transaction.Request.CreateResponse(405, "Method Not Allowed"), cancellationToken);
        };
        agent.IncomingCall = async call =>
        {
            if (authenticator is not null)
            {
                var verdict = authenticator.Verify(call.InitialInvite.Headers["Authorization"], "INVITE", PasswordOf);
                if (!verdict.IsAuthenticated)
                {
                    await call.RejectAsync(401, null, authenticator.CreateChallenges(verdict.Verdict == DigestVerdict.Stale)
                        .Select(c => new SipHeader("WWW-Authenticate", c.ToString())));
                    return;
                }
            }

            switch (answerCode)
            {
                case 180 or 183:
                    await call.RingAsync(answerCode);
                    return;
                case >= 300:
                    await call.RejectAsync(answerCode);
                    return;
            }

            var port = 40000 + (Interlocked.Add(ref rtpPort, 2) % 20000);
            var sdp = new SdpSession(IPAddress.Loopback, port);
            byte[] body;
            try
            {
                body = call.RemoteSdp.IsEmpty
                    ? sdp.CreateOffer().ToUtf8()
                    : sdp.CreateAnswer(SessionDescription.Parse(call.RemoteSdp.Span)).Answer.ToUtf8();
            }
            catch (Exception e) when (e is SdpFormatException or SdpNegotiationException)
            {
                await call.RejectAsync(488, "Not Acceptable Here");
                return;
            }

            await call.AnswerAsync(body);
            if (hangupAfter > TimeSpan.Zero)
            {
                _ = HangUpLaterAsync(call, hangupAfter, cancellationToken);
            }
        };

        try
        {
            await agent.StartAsync(cancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return ExitCodes.Invalid;
        }

        // Ctrl+C (SIGINT) and SIGTERM end the wait; the endpoint is then disposed and the process exits 0.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        output.WriteLine($"sip serve: listening on {string.Join(", ", agent.Endpoint.LocalAddresses)}; Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop cleanly.
        }

        output.WriteLine("sip serve: stopped.");
        return ExitCodes.Success;
    }

    private static async Task HangUpLaterAsync(SipCall call, TimeSpan after, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(after, cancellationToken);
            await call.HangUpAsync();
        }
        catch (OperationCanceledException)
        {
            // Stopping: the call is dropped with the endpoint.
        }
    }

    private static string Describe(bool outbound, SipMessage message, SipTransportProtocol protocol, IPEndPoint remote)
    {
        string first;
        try
        {
            first = message switch
            {
                SipRequest r => $"{r.Method} {r.RequestUri}",
                SipResponse r => $"{r.StatusCode} {r.ReasonPhrase}",
                _ => "?",
            };
        }
        catch (FormatException)
        {
            first = message is SipRequest request ? $"{request.Method} (unreadable Request-URI)" : "?";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:HH:mm:ss.fff} {(outbound ? "->" : "<-")} {protocol.ToString().ToLowerInvariant()}:{remote} {Printable(first)} (Call-ID {Printable(message.Headers["Call-ID"])}, CSeq {Printable(message.Headers["CSeq"])})");
    }

    /// <summary>One short, printable field: control characters shown as '?', at most 120 characters.</summary>
    private static string Printable(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var chars = value.Length <= 120 ? value.ToCharArray() : [.. value[..117], '.', '.', '.'];
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
