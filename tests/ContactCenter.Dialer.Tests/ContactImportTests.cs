using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Dialer.Tests;

public sealed class ContactImportTests
{
    private static Campaign NewCampaign(Rig rig) => rig.Dialer.CreateCampaign(Rig.Settings());

    [Fact]
    public void Every_good_line_is_imported_and_each_bad_line_reported_by_number()
    {
        using var rig = new Rig();
        var campaign = NewCampaign(rig);
        var csv = """"
            phone,name,timezone,priority,account
            (212) 555-0101,"Doe, Jane",America/New_York,2,A-1
            not a number,Bob,,,A-2
            212-555-0102,"Smith ""Smitty""",,,A-3
            212-555-0103,Ann,Mars/Olympus,,A-4
            212-555-0104,Too,many,fields,here,x
            212-555-0105,"Multi
            line",,7,A-6
            (212) 555-0101,Duplicate,,,A-7
            212-555-0106,Stray "quote,,,A-8
            """";

        var result = campaign.ImportCsv(new StringReader(csv));

        Assert.Equal(3, result.Imported);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal([3, 5, 6, 10], result.Errors.Select(e => e.LineNumber));
        Assert.Contains("column 'phone'", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("6 fields, the header has 5", result.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("quote", result.Errors[3].Message, StringComparison.Ordinal);
        var stored = rig.Store.LoadContacts(campaign.Id);
        Assert.Equal(["+12125550101", "+12125550102", "+12125550105"], stored.Select(c => c.PhoneNumber));
        Assert.Equal("Doe, Jane", stored[0].Name);
        Assert.Equal("America/New_York", stored[0].TimeZoneId);
        Assert.Equal("A-1", stored[0].Fields["account"]);
        Assert.Equal("Smith \"Smitty\"", stored[1].Name);
        Assert.Equal("Multi\nline", stored[2].Name);
        Assert.Equal(7, stored[2].Priority);
    }

    [Fact]
    public void A_header_without_a_phone_column_is_reported_and_nothing_imported()
    {
        using var rig = new Rig();
        var result = NewCampaign(rig).ImportCsv(new StringReader("name,tz\nBob,UTC\n"));

        Assert.Equal(0, result.Imported);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.LineNumber);
        Assert.Contains("no 'phone' column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unterminated_quote_is_reported_at_the_line_where_it_starts()
    {
        using var rig = new Rig();
        var result = NewCampaign(rig).ImportCsv(new StringReader("phone,name\n2125550101,Ann\n2125550102,\"Bob\n"));

        Assert.Equal(1, result.Imported);
        Assert.Equal(3, Assert.Single(result.Errors).LineNumber);
    }

    [Fact]
    public void Any_fields_written_with_RFC4180_quoting_read_back_unchanged()
    {
        var field = Gen.Elements('a', 'b', ',', '"', '\n', ' ', 'é', '1').ArrayOf().Select(chars => new string(chars));
        var row = field.ArrayOf().Where(a => a.Length > 0);
        Prop.ForAll(row.ToArbitrary(), fields =>
        {
            var line = string.Join(',', fields.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
            var record = Assert.Single(new CsvRecordReader(new StringReader(line)).ReadAll());
            Assert.Null(record.Error);
            Assert.Equal(fields, record.Fields);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Contacts_added_and_removed_while_running_are_dialed_or_skipped()
    {
        using var rig = new Rig(agents: 3);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        var removed = campaign.AddContact(new ContactInput("212-555-0102"));
        var added = campaign.AddContact(new ContactInput("212-555-0103"));
        Assert.NotNull(removed);
        Assert.NotNull(added);
        Assert.Null(campaign.AddContact(new ContactInput("+12125550103")));
        Assert.True(campaign.RemoveContact(removed!.Value));

        rig.Wait(1);

        Assert.Equal(["+12125550101", "+12125550103"], rig.Calls.Dialed.Select(c => c.PhoneNumber));
        Assert.Equal(ContactStatus.Removed, campaign.GetContact(removed.Value)!.Status);
    }

    [Fact]
    public void Priority_order_dials_the_highest_priority_first_and_random_order_keeps_everyone()
    {
        using var rig = new Rig(agents: 3);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings() with { Order = ContactOrder.Priority });
        campaign.AddContacts([new ContactInput("2125550101", Priority: 1), new ContactInput("2125550102", Priority: 9), new ContactInput("2125550103", Priority: 5)]);
        campaign.Start();
        rig.Wait(1);
        Assert.Equal(["+12125550102", "+12125550103", "+12125550101"], rig.Calls.Dialed.Select(c => c.PhoneNumber));

        using var rig2 = new Rig(agents: 40);
        var numbers = Enumerable.Range(0, 40).Select(i => $"+1212555{i:D4}").ToArray();
        rig2.Running(Rig.Settings() with { Order = ContactOrder.Random }, numbers);
        rig2.Wait(1);
        var dialed = rig2.Calls.Dialed.Select(c => c.PhoneNumber).ToArray();
        Assert.Equal(numbers.Order(), dialed.Order());
        Assert.NotEqual(numbers, dialed);
    }

    [Fact]
    public void Numbers_on_the_global_or_campaign_do_not_call_list_are_skipped_at_dial_time()
    {
        using var rig = new Rig(agents: 3);
        var campaign = rig.Dialer.CreateCampaign(Rig.Settings());
        campaign.AddContacts([new ContactInput("2125550101"), new ContactInput("2125550102"), new ContactInput("2125550103")]);

        // Added after the import: the check happens when the contact comes up for dialing.
        rig.Dialer.GlobalDoNotCall.Add("(212) 555-0101");
        campaign.DoNotCall.Add("+12125550102");
        campaign.Start();
        rig.Wait(1);

        Assert.Equal(["+12125550103"], rig.Calls.Dialed.Select(c => c.PhoneNumber));
        Assert.Equal(2, rig.Store.LoadContacts(campaign.Id).Count(c => c.Status == ContactStatus.DoNotCall));
    }

    [Fact]
    public void Import_is_refused_once_the_campaign_is_stopped()
    {
        using var rig = new Rig();
        var campaign = NewCampaign(rig);
        campaign.Stop();

        var ex = Assert.Throws<CampaignStateException>(() => campaign.ImportCsv(new StringReader("phone\n2125550101\n")));
        Assert.Contains("Stopped", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_reads_a_large_file_with_CRLF_line_ends()
    {
        using var rig = new Rig();
        var csv = new StringBuilder("phone,name\r\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.Append("+1212555").Append(i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)).Append(",n").Append("\r\n");
        }

        var result = NewCampaign(rig).ImportCsv(new StringReader(csv.ToString()));

        Assert.Equal(2000, result.Imported);
        Assert.Empty(result.Errors);
    }
}

public sealed class RemovalTests
{
    [Fact]
    public void A_contact_removed_during_its_call_is_not_brought_back_by_a_callback_disposition()
    {
        using var rig = new Rig(agents: 1);
        var campaign = rig.Running(Rig.Settings(), "+12125550101");
        rig.Wait(1);
        var call = rig.Calls.Dialed[0];
        call.ReportAnswered();
        Assert.True(campaign.RemoveContact(call.Contact.Id));

        rig.Finish(call, call.AgentId!, new AgentDisposition("LATER", DispositionKind.Callback, rig.Time.GetUtcNow().AddMinutes(5)));
        rig.Wait(600);

        Assert.Single(rig.Calls.Dialed);
        Assert.Equal(ContactStatus.Removed, campaign.GetContact(call.Contact.Id)!.Status);
        Assert.Equal("LATER", rig.Store.LoadAttempts(campaign.Id)[0].DispositionCode);
    }
}
