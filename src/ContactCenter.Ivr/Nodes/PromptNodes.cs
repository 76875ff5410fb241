using System.Globalization;
using System.Text.RegularExpressions;
using ContactCenter.Ivr.Runtime;

namespace ContactCenter.Ivr.Nodes;

/// <summary><c>play</c>: plays an audio file or text, <c>loop</c> times; an interruptible prompt keeps the digit for the next input node.</summary>
internal sealed class PlayNode : NodeBase
{
    private readonly PromptSpec? _prompt;
    private readonly bool _interruptible;
    private readonly int _loop;
    private readonly int _next;

    public PlayNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.ReadInline(reader);
        _interruptible = reader.Bool("interruptible", false);
        _loop = reader.Int("loop", 1, 1, 100);
        _next = reader.Transition(TransitionNames.Next, required: true);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        for (var i = 0; i < _loop; i++)
        {
            var digit = await _prompt!.PlayAsync(session, _interruptible).ConfigureAwait(false);
            if (digit != '\0')
            {
                session.PendingDigit = digit;
                return new Step(_next, TransitionNames.Next, "play", digit.ToString());
            }
        }

        return new Step(_next, TransitionNames.Next, "play");
    }
}

/// <summary>Reads one key: the type-ahead digit, else the prompt with barge-in, else a one-digit collection.</summary>
internal static class KeyInput
{
    public const string Keys = "0123456789*#";

    public static async ValueTask<char> ReadAsync(IvrSession session, PromptSpec prompt, bool interruptible, DigitsRequest request)
    {
        var key = session.TakePendingDigit();
        if (key != '\0')
        {
            return key;
        }

        key = await prompt.PlayAsync(session, interruptible).ConfigureAwait(false);
        if (key != '\0')
        {
            return key;
        }

        var result = await session.Channel.CollectDigitsAsync(request, session.CancellationToken).ConfigureAwait(false);
        return result.Digits.Length > 0 ? result.Digits[0] : result.Terminator ?? '\0';
    }

    public static ValueTask PlayIfAsync(IvrSession session, PromptSpec? prompt) =>
        prompt is null ? ValueTask.CompletedTask : PlayOnceAsync(session, prompt);

    private static async ValueTask PlayOnceAsync(IvrSession session, PromptSpec prompt) =>
        await prompt.PlayAsync(session, interruptible: false).ConfigureAwait(false);
}

/// <summary><c>menu</c>: a DTMF menu with barge-in, timeout and invalid-key prompts and retries.</summary>
internal sealed class MenuNode : NodeBase
{
    private readonly PromptSpec? _prompt;
    private readonly PromptSpec? _timeoutPrompt;
    private readonly PromptSpec? _invalidPrompt;
    private readonly int _maxRetries;
    private readonly bool _interruptible;
    private readonly int _choicesSlot;
    private readonly int _resultSlot;
    private readonly int[] _digitNext = new int[KeyInput.Keys.Length];
    private readonly int _selected;
    private readonly int _timeout;
    private readonly int _invalid;
    private readonly int _failed;
    private readonly DigitsRequest _request;

    public MenuNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.Read(reader, "prompt", required: true);
        _timeoutPrompt = PromptSpec.Read(reader, "timeoutPrompt", required: false);
        _invalidPrompt = PromptSpec.Read(reader, "invalidPrompt", required: false);
        _maxRetries = reader.Int("maxRetries", 2, 0, 10);
        var timeout = reader.Seconds("timeoutSeconds", 5, 0.5, 120);
        _interruptible = reader.Bool("interruptible", true);
        _resultSlot = reader.WrittenVariable("variable", required: false);
        var choices = reader.String("choicesVariable", required: false);
        _choicesSlot = -1;
        if (choices is not null)
        {
            if (Flows.Template.IsValidName(choices))
            {
                _choicesSlot = reader.Variables.Slot(choices);
                reader.Reads.Add((choices, reader.ParameterPath("choicesVariable")));
            }
            else
            {
                reader.Error("invalid-variable", reader.ParameterPath("choicesVariable"), $"'{choices}' is not a valid variable name");
            }
        }

        var anyDigit = false;
        var present = reader.TransitionNamesPresent().ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < KeyInput.Keys.Length; i++)
        {
            var name = KeyInput.Keys[i].ToString();
            _digitNext[i] = present.Contains(name) ? reader.Transition(name, required: true) : -1;
            anyDigit |= present.Contains(name);
        }

        _selected = reader.Transition(TransitionNames.Selected, required: _choicesSlot >= 0);
        if (!anyDigit && _choicesSlot < 0)
        {
            reader.Error("missing-transition", reader.Path + ".transitions", "a 'menu' node needs at least one key transition ('0'-'9', '*', '#') or a 'choicesVariable'");
        }

        _timeout = reader.Transition(TransitionNames.Timeout, required: false);
        _invalid = reader.Transition(TransitionNames.Invalid, required: false);
        _failed = reader.Transition(TransitionNames.Failed, required: true);
        _request = new DigitsRequest(1, 1, string.Empty, timeout, timeout);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var timedOut = false;
        string? lastKey = null;
        for (var attempt = 0; attempt <= _maxRetries; attempt++)
        {
            var key = await KeyInput.ReadAsync(session, _prompt!, _interruptible, _request).ConfigureAwait(false);
            var last = attempt == _maxRetries;
            if (key == '\0')
            {
                timedOut = true;
                if (!last)
                {
                    await KeyInput.PlayIfAsync(session, _timeoutPrompt).ConfigureAwait(false);
                }

                continue;
            }

            timedOut = false;
            lastKey = key.ToString();
            var index = KeyInput.Keys.IndexOf(key, StringComparison.Ordinal);
            if (index >= 0 && _digitNext[index] >= 0)
            {
                Store(session, lastKey);
                return new Step(_digitNext[index], lastKey, "menu", lastKey);
            }

            if (_choicesSlot >= 0 && IsChoice(session.Values[_choicesSlot], key))
            {
                Store(session, lastKey);
                return new Step(_selected, TransitionNames.Selected, "menu", lastKey);
            }

            if (!last)
            {
                await KeyInput.PlayIfAsync(session, _invalidPrompt).ConfigureAwait(false);
            }
        }

        if (timedOut && _timeout >= 0)
        {
            return new Step(_timeout, TransitionNames.Timeout, "menu");
        }

        if (!timedOut && _invalid >= 0)
        {
            return new Step(_invalid, TransitionNames.Invalid, "menu", lastKey);
        }

        return new Step(_failed, TransitionNames.Failed, "menu", lastKey);
    }

    private void Store(IvrSession session, string key)
    {
        session.Values[Flows.SystemVariables.LastInputSlot] = key;
        if (_resultSlot >= 0)
        {
            session.Values[_resultSlot] = key;
        }
    }

    private static bool IsChoice(string? choices, char key)
    {
        if (string.IsNullOrEmpty(choices))
        {
            return false;
        }

        foreach (var part in choices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length == 1 && part[0] == key)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>collect</c>: collects a number (length bounds, terminator, '*' handling, timeouts, retries) into a variable.</summary>
internal sealed class CollectNode : NodeBase
{
    private readonly PromptSpec? _prompt;
    private readonly PromptSpec? _timeoutPrompt;
    private readonly PromptSpec? _invalidPrompt;
    private readonly int _slot;
    private readonly int _minLength;
    private readonly int _maxLength;
    private readonly string _terminators;
    private readonly bool _starClears;
    private readonly TimeSpan _firstDigit;
    private readonly TimeSpan _interDigit;
    private readonly int _maxRetries;
    private readonly bool _interruptible;
    private readonly Regex? _pattern;
    private readonly int _next;
    private readonly int _failed;

    public CollectNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.Read(reader, "prompt", required: false);
        _timeoutPrompt = PromptSpec.Read(reader, "timeoutPrompt", required: false);
        _invalidPrompt = PromptSpec.Read(reader, "invalidPrompt", required: false);
        _slot = reader.WrittenVariable("variable", required: true);
        (_minLength, _maxLength) = reader.IntRange("minLength", 1, "maxLength", 20, 0, 64);

        _terminators = reader.String("terminator", required: false) ?? "#";
        if (_terminators.Any(c => !KeyInput.Keys.Contains(c, StringComparison.Ordinal)))
        {
            reader.Error("invalid-parameter", reader.ParameterPath("terminator"), "'terminator' may contain only DTMF keys (0-9, *, #)");
        }

        var star = reader.String("star", required: false) ?? "clear";
        if (star is not ("clear" or "digit"))
        {
            reader.Error("invalid-parameter", reader.ParameterPath("star"), "'star' must be 'clear' (restart the entry) or 'digit' (keep it as a digit)");
        }

        _starClears = star == "clear" && !_terminators.Contains('*', StringComparison.Ordinal);
        _firstDigit = reader.Seconds("firstDigitTimeoutSeconds", 5, 0.5, 120);
        _interDigit = reader.Seconds("interDigitTimeoutSeconds", 3, 0.5, 60);
        _maxRetries = reader.Int("maxRetries", 2, 0, 10);
        _interruptible = reader.Bool("interruptible", true);
        var pattern = reader.String("pattern", required: false);
        if (pattern is not null)
        {
            try
            {
                _pattern = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                reader.Error("invalid-regex", reader.ParameterPath("pattern"), $"invalid regular expression '{pattern}': {ex.Message}");
            }
        }

        _next = reader.Transition(TransitionNames.Next, required: true);
        _failed = reader.Transition(TransitionNames.Failed, required: true);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        var terminators = _starClears ? _terminators + "*" : _terminators;
        string? last = null;
        for (var attempt = 0; attempt <= _maxRetries; attempt++)
        {
            var isLast = attempt == _maxRetries;
            var entry = await ReadEntryAsync(session, terminators).ConfigureAwait(false);
            last = entry.Digits;
            if (entry.Termination == DigitsTermination.Terminator && entry.Terminator == '*' && _starClears)
            {
                continue;
            }

            if (entry.Termination == DigitsTermination.NoInput && entry.Digits.Length == 0 && _minLength > 0)
            {
                if (!isLast)
                {
                    await KeyInput.PlayIfAsync(session, _timeoutPrompt).ConfigureAwait(false);
                }

                continue;
            }

            if (entry.Digits.Length < _minLength || (_pattern is not null && !Matches(entry.Digits)))
            {
                if (!isLast)
                {
                    await KeyInput.PlayIfAsync(session, _invalidPrompt).ConfigureAwait(false);
                }

                continue;
            }

            session.Values[_slot] = entry.Digits;
            session.Values[Flows.SystemVariables.LastInputSlot] = entry.Digits;
            return new Step(_next, TransitionNames.Next, "collect", Describe(entry));
        }

        return new Step(_failed, TransitionNames.Failed, "collect", last);
    }

    private bool Matches(string digits)
    {
        try
        {
            return _pattern!.IsMatch(digits);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string Describe(DigitsResult entry) =>
        entry.Termination == DigitsTermination.Terminator ? entry.Digits + entry.Terminator : entry.Digits;

    private async ValueTask<DigitsResult> ReadEntryAsync(IvrSession session, string terminators)
    {
        var first = session.TakePendingDigit();
        if (first == '\0' && _prompt is not null)
        {
            first = await _prompt.PlayAsync(session, _interruptible).ConfigureAwait(false);
        }

        var prefix = string.Empty;
        if (first != '\0')
        {
            if (terminators.Contains(first, StringComparison.Ordinal))
            {
                return new DigitsResult(string.Empty, DigitsTermination.Terminator, first);
            }

            prefix = first.ToString();
            if (_maxLength == 1)
            {
                return new DigitsResult(prefix, DigitsTermination.MaxLength);
            }
        }

        var request = new DigitsRequest(
            Math.Max(0, _minLength - prefix.Length),
            _maxLength - prefix.Length,
            terminators,
            prefix.Length > 0 ? _interDigit : _firstDigit,
            _interDigit);
        var result = await session.Channel.CollectDigitsAsync(request, session.CancellationToken).ConfigureAwait(false);
        if (prefix.Length == 0)
        {
            return result;
        }

        var termination = result.Termination == DigitsTermination.NoInput ? DigitsTermination.InterDigitTimeout : result.Termination;
        return result with { Digits = prefix + result.Digits, Termination = termination };
    }
}

/// <summary><c>survey</c>: asks for a score key (for example 1 to 5) and stores it in a variable and in the session result.</summary>
internal sealed class SurveyNode : NodeBase
{
    private readonly PromptSpec? _prompt;
    private readonly PromptSpec? _invalidPrompt;
    private readonly PromptSpec? _thankYou;
    private readonly int _slot;
    private readonly int _min;
    private readonly int _max;
    private readonly int _maxRetries;
    private readonly int _next;
    private readonly DigitsRequest _request;

    public SurveyNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.Read(reader, "prompt", required: true);
        _invalidPrompt = PromptSpec.Read(reader, "invalidPrompt", required: false);
        _thankYou = PromptSpec.Read(reader, "thankYouPrompt", required: false);
        _slot = reader.WrittenVariable("variable", required: true);
        (_min, _max) = reader.IntRange("minScore", 1, "maxScore", 5, 0, 9);

        _maxRetries = reader.Int("maxRetries", 1, 0, 5);
        var timeout = reader.Seconds("timeoutSeconds", 5, 0.5, 120);
        _next = reader.Transition(TransitionNames.Next, required: true);
        _request = new DigitsRequest(1, 1, string.Empty, timeout, timeout);
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        for (var attempt = 0; attempt <= _maxRetries; attempt++)
        {
            var key = await KeyInput.ReadAsync(session, _prompt!, interruptible: true, _request).ConfigureAwait(false);
            if (char.IsAsciiDigit(key) && key - '0' >= _min && key - '0' <= _max)
            {
                var score = key - '0';
                var text = score.ToString(CultureInfo.InvariantCulture);
                session.Values[_slot] = text;
                (session.SurveyScores ??= new Dictionary<string, int>(StringComparer.Ordinal))[Id] = score;
                await KeyInput.PlayIfAsync(session, _thankYou).ConfigureAwait(false);
                return new Step(_next, TransitionNames.Next, "survey", text);
            }

            if (attempt < _maxRetries && key != '\0')
            {
                await KeyInput.PlayIfAsync(session, _invalidPrompt).ConfigureAwait(false);
            }
        }

        return new Step(_next, TransitionNames.Next, "survey");
    }
}

/// <summary><c>voicemail</c>: prompt, beep, record up to a maximum length ('#' ends); ends the session unless it has <c>next</c>.</summary>
internal sealed class VoicemailNode : NodeBase
{
    private readonly PromptSpec? _prompt;
    private readonly bool _beep;
    private readonly TimeSpan _maxLength;
    private readonly string _endKeys;
    private readonly Flows.Template _mailbox;
    private readonly int _next;

    public VoicemailNode(NodeReader reader)
        : base(reader)
    {
        _prompt = PromptSpec.Read(reader, "prompt", required: false);
        _beep = reader.Bool("beep", true);
        _maxLength = reader.Seconds("maxSeconds", 120, 1, 3600);
        _endKeys = reader.String("endKey", required: false) ?? "#";
        _mailbox = reader.Template("mailbox", required: true) ?? Flows.Template.Empty;
        _next = reader.Transition(TransitionNames.Next, required: false);
        reader.IsEnd = _next < 0;
    }

    public override async ValueTask<Step> ExecuteAsync(IvrSession session)
    {
        await KeyInput.PlayIfAsync(session, _prompt).ConfigureAwait(false);
        var mailbox = session.Render(_mailbox);
        var result = await session.Channel.RecordAsync(new RecordingRequest(_beep, _maxLength, _endKeys, mailbox), session.CancellationToken).ConfigureAwait(false);
        session.Recording = result.RecordingId;
        session.Mailbox = mailbox;
        session.Outcome = IvrOutcome.Voicemail;
        var seconds = result.Duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";
        if (result.CallerHungUp)
        {
            return new Step(Step.End, "voicemail", "record", seconds);
        }

        if (_next >= 0)
        {
            return new Step(_next, TransitionNames.Next, "record", seconds);
        }

        await session.Channel.HangUpAsync(session.CancellationToken).ConfigureAwait(false);
        return new Step(Step.End, "voicemail", "record", seconds);
    }
}
