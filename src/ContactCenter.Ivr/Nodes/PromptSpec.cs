using System.Text.Json;
using ContactCenter.Ivr.Flows;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary>
/// A prompt parameter: either a string (text to speak) or an object with <c>text</c> or <c>audio</c>.
/// </summary>
internal sealed class PromptSpec
{
    private PromptSpec(Template? text, Template? audio)
    {
        Text = text;
        Audio = audio;
    }

    public Template? Text { get; }

    public Template? Audio { get; }

    public static PromptSpec? Read(NodeReader reader, string name, bool required)
    {
        var path = reader.ParameterPath(name);
        var kind = reader.PeekKind(name);
        if (kind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String)
        {
            var text = reader.Template(name, required);
            return text is null ? null : new PromptSpec(text, null);
        }

        var element = reader.Element(name, JsonValueKind.Object, required);
        if (element is null)
        {
            return null;
        }

        Template? textTemplate = null;
        Template? audioTemplate = null;
        foreach (var property in element.Value.EnumerateObject())
        {
            var propertyPath = JsonPaths.Property(path, property.Name);
            if (property.Value.ValueKind != JsonValueKind.String || property.Name is not ("text" or "audio"))
            {
                reader.Error("invalid-parameter", propertyPath, $"a prompt object has only 'text' or 'audio' strings");
                continue;
            }

            var template = reader.CompileTemplate(property.Value.GetString()!, propertyPath);
            if (property.Name == "text")
            {
                textTemplate = template;
            }
            else
            {
                audioTemplate = template;
            }
        }

        if ((textTemplate is null) == (audioTemplate is null))
        {
            reader.Error("invalid-parameter", path, "a prompt needs exactly one of 'text' or 'audio'");
            return null;
        }

        return new PromptSpec(textTemplate, audioTemplate);
    }

    /// <summary>Reads <c>text</c> / <c>audio</c> directly from the node parameters (the play node).</summary>
    public static PromptSpec? ReadInline(NodeReader reader)
    {
        var text = reader.Template("text", required: false);
        var audio = reader.Template("audio", required: false);
        if ((text is null) == (audio is null))
        {
            reader.Error("missing-parameter", reader.ParameterPath("text"), "a 'play' node needs exactly one of 'text' or 'audio'");
            return null;
        }

        return new PromptSpec(text, audio);
    }

    /// <summary>Plays the prompt; returns the digit that interrupted it, or '\0'.</summary>
    public async ValueTask<char> PlayAsync(IvrSession session, bool interruptible)
    {
        var prompt = await ResolveAsync(session, interruptible).ConfigureAwait(false);
        var result = await session.Channel.PlayAsync(prompt, session.CancellationToken).ConfigureAwait(false);
        return interruptible && result.InterruptedBy is { } digit ? digit : '\0';
    }

    public async ValueTask<IvrPrompt> ResolveAsync(IvrSession session, bool interruptible)
    {
        var voice = session.Voice;
        var language = session.Language;
        if (Audio is not null)
        {
            return new IvrPrompt(session.Render(Audio), null, voice, language, interruptible);
        }

        var text = session.Render(Text!);
        var tts = session.Interpreter.TextToSpeech;
        var file = tts is null ? null : await tts.SynthesizeAsync(text, voice, session.CancellationToken).ConfigureAwait(false);
        return new IvrPrompt(file, text, voice, language, interruptible);
    }
}
