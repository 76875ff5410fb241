using ContactCenter.Hosting.Ivr;
using FsCheck;
using FsCheck.Fluent;

namespace ContactCenter.Hosting.Tests.Ivr;

public sealed class VoicemailStoreTests
{
    [Fact]
    public void Mailbox_names_become_one_safe_folder_name_whatever_the_flow_renders()
    {
        Prop.ForAll<string>(mailbox =>
        {
            var segment = VoicemailStore.SafeSegment(mailbox ?? string.Empty);
            return segment.Length is > 0 and <= 64
                && segment.IndexOfAny(['/', '\\', ':', '\0']) < 0
                && segment is not ("." or "..")
                && segment.Trim('.').Length > 0;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("sales", "sales")]
    [InlineData("+18005550199", "+18005550199")]
    [InlineData("../../etc/passwd", ".._.._etc_passwd")]
    [InlineData("..", "__")]
    [InlineData("  ", "default")]
    [InlineData("boîte vocale", "bo_te_vocale")]
    public void Mailbox_folder_keeps_safe_characters_and_replaces_the_rest(string mailbox, string expected) =>
        Assert.Equal(expected, VoicemailStore.SafeSegment(mailbox));
}
