namespace ContactCenter.Sip.Tests.Message;

/// <summary>The RFC 4475 torture messages get the verdict of the 'parse' column of EXPECTED.tsv.</summary>
public class ConformanceCorpusTests
{
    public static TheoryData<string, string> Corpus()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(TestMessages.CorpusDirectory(), "EXPECTED.tsv")))
        {
            if (line.StartsWith('#') || line.StartsWith("file\t", StringComparison.Ordinal) || line.Trim().Length == 0)
            {
                continue;
            }

            var columns = line.Split('\t');
            data.Add(columns[0], columns[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Torture_message_gets_the_expected_verdict(string file, string expected)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestMessages.CorpusDirectory(), file));
        var parser = new SipMessageParser();

        var valid = parser.TryParseDatagram(bytes, out _, out var error);

        if (expected == "valid")
        {
            Assert.True(valid, $"{file}: {error?.Message}");
        }
        else if (expected == "invalid")
        {
            Assert.False(valid, $"{file} was accepted");
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void Corpus_has_fifty_messages()
    {
        Assert.Equal(50, Corpus().Count);
    }
}
