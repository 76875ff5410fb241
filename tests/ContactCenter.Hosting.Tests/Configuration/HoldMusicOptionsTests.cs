namespace ContactCenter.Hosting.Tests.Configuration;

/// <summary>Hold music is checked at start-up where it is played from: a relative path from the prompt folder.</summary>
public sealed class HoldMusicOptionsTests : IDisposable
{
    private readonly string _prompts = Path.Combine(Path.GetTempPath(), "cc-prompts-" + Guid.NewGuid().ToString("N"));

    public HoldMusicOptionsTests()
    {
        Directory.CreateDirectory(_prompts);
        File.WriteAllBytes(Path.Combine(_prompts, "music.wav"), []);
    }

    public void Dispose() => Directory.Delete(_prompts, recursive: true);

    [Fact]
    public void A_relative_music_file_in_the_prompt_folder_is_accepted()
    {
        var options = new ContactCenterOptions { Hold = { MusicFile = "music.wav" }, Flows = { PromptDirectory = _prompts } };

        Assert.DoesNotContain(new ContactCenterOptionsValidator().Validate(null, options).Failures ?? [], f => f.Contains("MusicFile", StringComparison.Ordinal));
    }

    [Fact]
    public void A_music_file_missing_from_the_prompt_folder_fails_start_up_naming_where_it_was_looked_for()
    {
        var error = StartUp.Error(("ContactCenter:Hold:MusicFile", "missing.wav"), ("ContactCenter:Flows:PromptDirectory", _prompts));

        Assert.Contains($"ContactCenter:Hold:MusicFile: file '{Path.Combine(_prompts, "missing.wav")}' does not exist", error, StringComparison.Ordinal);
    }
}
