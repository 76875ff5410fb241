using System.Net;
using ContactCenter.Sip.Auth;
using ContactCenter.Sip.Registrar;
using ContactCenter.Sip.Transport;
using ContactCenter.Testing;

namespace ContactCenter.Sip.Tests.Registrar;

public sealed class RegistrarTests
{
    private static readonly SipRemote Phone = new(SipTransportProtocol.Udp, new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40123), new IPEndPoint(IPAddress.Loopback, 5060), 0);
    private readonly ManualTimeProvider _time = new();
    private uint _cseq;

    private SipRegistrar NewRegistrar(DigestAuthenticator? authenticator = null) =>
        new(new SipRegistrarOptions(), authenticator, authenticator is null ? null : u => u == "1001" ? "pw1001" : null, _time);

    private SipRequest Register(string contacts, string? expires = null, string callId = "reg-1", string user = "1001", string? authorization = null) =>
        (SipRequest)SipMessage.Parse(
            "REGISTER sip:127.0.0.1 SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 192.0.2.7:5060;branch={ContactCenter.Sip.Transactions.SipTransactionLayer.NewBranch()}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"To: <sip:{user}@127.0.0.1>\r\nFrom: <sip:{user}@127.0.0.1>;tag=r1\r\nCall-ID: {callId}\r\nCSeq: {++_cseq} REGISTER\r\n" +
            (contacts.Length > 0 ? $"Contact: {contacts}\r\n" : "") +
            (expires is null ? "" : $"Expires: {expires}\r\n") +
            (authorization is null ? "" : $"Authorization: {authorization}\r\n") +
            "Content-Length: 0\r\n\r\n");

    [Fact]
    public void Register_binds_the_contact_and_lookup_finds_it_with_its_source()
    {
        var registrar = NewRegistrar();

        var ok = registrar.Process(Register("<sip:1001@192.0.2.7:5060>", "600"), Phone);

        Assert.Equal(200, ok.StatusCode);
        Assert.Contains(";expires=600", ok.Headers["Contact"], StringComparison.Ordinal);
        var binding = Assert.Single(registrar.Lookup("1001"));
        Assert.Equal("sip:1001@192.0.2.7:5060", binding.Contact.ToString());
        Assert.Equal(Phone, binding.Source);
    }

    [Fact]
    public void Binding_expires_unless_refreshed()
    {
        var registrar = NewRegistrar();
        registrar.Process(Register("<sip:1001@192.0.2.7>", "120"), Phone);

        _time.Advance(TimeSpan.FromSeconds(100));
        registrar.Process(Register("<sip:1001@192.0.2.7>", "120"), Phone);
        _time.Advance(TimeSpan.FromSeconds(100));
        Assert.Single(registrar.Lookup("1001"));

        _time.Advance(TimeSpan.FromSeconds(21));
        Assert.Empty(registrar.Lookup("1001"));
    }

    [Fact]
    public void Removing_expired_bindings_tells_once_per_address_that_lost_one_and_keeps_the_live_ones()
    {
        var registrar = NewRegistrar();
        var changed = new List<string>();
        registrar.Process(Register("<sip:1001@192.0.2.7>", "120"), Phone);
        registrar.Process(Register("<sip:1001@192.0.2.8>", "120", callId: "reg-2"), Phone);
        registrar.Process(Register("<sip:1002@192.0.2.9>", "600", callId: "reg-3", user: "1002"), Phone);
        registrar.BindingsChanged += changed.Add;

        _time.Advance(TimeSpan.FromSeconds(121));

        Assert.Equal(2, registrar.RemoveExpired());
        Assert.Equal(["1001"], changed);
        Assert.Empty(registrar.Lookup("1001"));
        Assert.Single(registrar.Lookup("1002"));
        Assert.Equal(0, registrar.RemoveExpired());
        Assert.Equal(["1001"], changed);
    }

    [Fact]
    public void Several_contacts_are_kept_and_ordered_by_q()
    {
        var registrar = NewRegistrar();

        registrar.Process(Register("<sip:desk@192.0.2.7>;q=0.5, <sip:soft@192.0.2.8>;q=0.9", "300"), Phone);

        Assert.Equal(["sip:soft@192.0.2.8", "sip:desk@192.0.2.7"], registrar.Lookup("1001").Select(b => b.Contact.ToString()));
    }

    [Fact]
    public void Expires_zero_removes_one_contact_and_star_removes_all()
    {
        var registrar = NewRegistrar();
        registrar.Process(Register("<sip:a@192.0.2.7>, <sip:b@192.0.2.7>, <sip:c@192.0.2.7>", "300"), Phone);

        registrar.Process(Register("<sip:a@192.0.2.7>;expires=0"), Phone);
        Assert.Equal(2, registrar.Lookup("1001").Count);

        var ok = registrar.Process(Register("*", "0"), Phone);
        Assert.Equal(200, ok.StatusCode);
        Assert.Empty(registrar.Lookup("1001"));
    }

    [Fact]
    public void Star_without_expires_zero_is_a_bad_request()
    {
        Assert.Equal(400, NewRegistrar().Process(Register("*", "60"), Phone).StatusCode);
    }

    [Fact]
    public void Too_brief_an_interval_gets_423_with_Min_Expires()
    {
        var response = NewRegistrar().Process(Register("<sip:1001@192.0.2.7>", "10"), Phone);

        Assert.Equal(423, response.StatusCode);
        Assert.Equal("60", response.Headers["Min-Expires"]);
    }

    [Fact]
    public void Too_long_an_interval_is_shortened_to_the_maximum()
    {
        var ok = NewRegistrar().Process(Register("<sip:1001@192.0.2.7>", "86400"), Phone);

        Assert.Contains(";expires=3600", ok.Headers["Contact"], StringComparison.Ordinal);
    }

    [Fact]
    public void Register_without_contact_is_a_query_that_lists_the_bindings()
    {
        var registrar = NewRegistrar();
        registrar.Process(Register("<sip:1001@192.0.2.7>", "300"), Phone);

        var ok = registrar.Process(Register(""), Phone);

        Assert.Equal(200, ok.StatusCode);
        Assert.Contains("sip:1001@192.0.2.7", ok.Headers["Contact"], StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_order_register_from_the_same_client_changes_nothing()
    {
        var registrar = NewRegistrar();
        var late = Register("<sip:1001@192.0.2.7>", "0");          // CSeq 1, delayed in the network
        registrar.Process(Register("<sip:1001@192.0.2.7>", "300"), Phone); // CSeq 2 arrives first

        registrar.Process(late, Phone);

        Assert.Single(registrar.Lookup("1001"));
    }

    [Fact]
    public void With_an_authenticator_a_register_is_challenged_then_accepted_with_the_right_password()
    {
        var authenticator = new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "cc" }, _time);
        var registrar = NewRegistrar(authenticator);

        var challenge = registrar.Process(Register("<sip:1001@192.0.2.7>", "300"), Phone);
        Assert.Equal(401, challenge.StatusCode);
        var offered = DigestChallenge.Parse(challenge.Headers.GetValues("WWW-Authenticate")[0]);

        var credentials = DigestCredentials.Answer(offered, "1001", "pw1001", "REGISTER", "sip:127.0.0.1");
        var ok = registrar.Process(Register("<sip:1001@192.0.2.7>", "300", authorization: credentials.ToString()), Phone);

        Assert.Equal(200, ok.StatusCode);
        Assert.Single(registrar.Lookup("1001"));
    }

    [Fact]
    public void Credentials_of_another_user_are_forbidden()
    {
        var authenticator = new DigestAuthenticator(new DigestAuthenticatorOptions { Realm = "cc" }, _time);
        var registrar = new SipRegistrar(null, authenticator, u => u is "1001" or "1002" ? "pw" : null, _time);
        var offered = authenticator.CreateChallenges()[0];
        var credentials = DigestCredentials.Answer(offered, "1002", "pw", "REGISTER", "sip:127.0.0.1");

        var response = registrar.Process(Register("<sip:1001@192.0.2.7>", "300", authorization: credentials.ToString()), Phone);

        Assert.Equal(403, response.StatusCode);
        Assert.Empty(registrar.Lookup("1001"));
    }

    [Fact]
    public void Contacts_beyond_the_limit_are_refused()
    {
        var registrar = new SipRegistrar(new SipRegistrarOptions { MaxContactsPerAddress = 1 }, timeProvider: _time);
        registrar.Process(Register("<sip:a@192.0.2.7>", "300"), Phone);

        Assert.Equal(403, registrar.Process(Register("<sip:b@192.0.2.7>", "300", callId: "other"), Phone).StatusCode);
    }

    [Fact]
    public void Options_that_contradict_each_other_name_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new SipRegistrar(new SipRegistrarOptions { MaxExpires = TimeSpan.FromSeconds(30) }));
        Assert.Contains("MaxExpires", error.Message, StringComparison.Ordinal);
    }
}
