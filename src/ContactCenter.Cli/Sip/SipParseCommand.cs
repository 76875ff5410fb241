using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContactCenter.Sip;

namespace ContactCenter.Cli.Sip;

/// <summary>
/// <c>contactcenter sip parse [FILE]</c>: parses one SIP message (as a datagram: the whole input is the message) and
/// prints one JSON object. Exit 0 for a well-formed message, 1 for a malformed one, 2 when FILE cannot be read.
/// </summary>
internal static class SipParseCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo?>("FILE") { Arity = ArgumentArity.ZeroOrOne, Description = "The message; standard input when omitted." };
        var command = new Command("parse", "Parse one SIP message from FILE (or standard input) and print it as JSON.");
        command.Arguments.Add(file);
        command.SetAction(async (parse, cancellationToken) =>
        {
            byte[] input;
            var path = parse.GetValue(file);
            try
            {
                input = await ReadInputAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"sip parse: cannot read '{path?.FullName}': {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (UnauthorizedAccessException ex)
            {
                Console.Error.WriteLine($"sip parse: cannot read '{path?.FullName}': {ex.Message}");
                return ExitCodes.Usage;
            }

            var (json, exitCode) = Run(input);
            Console.Out.WriteLine(json);
            return exitCode;
        });
        return command;
    }

    /// <summary>Parses <paramref name="input"/> and returns the JSON to print and the exit code.</summary>
    internal static (string Json, int ExitCode) Run(ReadOnlySpan<byte> input)
    {
        var parser = new SipMessageParser();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (!parser.TryParseDatagram(input, out var message, out var error))
            {
                json.WriteString("error", error?.Message ?? "the input holds no SIP message");
                json.WriteEndObject();
                json.Flush();
                return (System.Text.Encoding.UTF8.GetString(stream.ToArray()), ExitCodes.Invalid);
            }

            if (message is SipRequest request)
            {
                json.WriteString("kind", "request");
                json.WriteString("method", request.Method.Name);
                json.WriteString("requestUri", request.RequestUri.ToString());
            }
            else
            {
                var response = (SipResponse)message;
                json.WriteString("kind", "response");
                json.WriteNumber("status", response.StatusCode);
                json.WriteString("reason", response.ReasonPhrase);
            }

            WriteStringOrNull(json, "callId", message.CallId);
            WriteStringOrNull(json, "cseq", message.CSeq?.ToString());
            json.WriteNumber("headerCount", message.Headers.Count);
            json.WriteNumber("bodyLength", message.Body.Length);
            json.WriteEndObject();
        }

        return (System.Text.Encoding.UTF8.GetString(stream.ToArray()), ExitCodes.Success);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static async Task<byte[]> ReadInputAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is not null)
        {
            return await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }

        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
