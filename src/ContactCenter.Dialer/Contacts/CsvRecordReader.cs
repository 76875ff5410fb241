using System.Text;

namespace ContactCenter.Dialer;

/// <summary>One CSV record: its first physical line number, and its fields or the reason it is malformed.</summary>
internal readonly record struct CsvRecord(int LineNumber, List<string>? Fields, string? Error);

/// <summary>
/// An RFC 4180 reader: comma separated fields, optional double quotes around a field, a doubled quote inside
/// quotes for a literal quote, line breaks and commas allowed inside quotes, CRLF or LF line ends. A malformed
/// record is reported with its line number and reading resumes at the next line.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, int maxFieldLength = 4096)
{
    private int _line;

    public IEnumerable<CsvRecord> ReadAll()
    {
        while (true)
        {
            var first = reader.ReadLine();
            if (first is null)
            {
                yield break;
            }

            _line++;
            var start = _line;
            if (first.Length == 0)
            {
                continue;
            }

            yield return Parse(first, start);
        }
    }

    private CsvRecord Parse(string firstLine, int start)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = firstLine;
        var i = 0;
        while (true)
        {
            // At the start of a field.
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        var next = reader.ReadLine();
                        if (next is null)
                        {
                            return new CsvRecord(start, null, $"line {start}: a quoted field is not closed before the end of the file");
                        }

                        _line++;
                        field.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        if (i < line.Length && line[i] == '"')
                        {
                            field.Append('"');
                            i++;
                            continue;
                        }

                        break;
                    }

                    field.Append(c);
                    if (field.Length > maxFieldLength)
                    {
                        return new CsvRecord(start, null, $"line {start}: field {fields.Count + 1} is longer than {maxFieldLength} characters");
                    }
                }

                if (i < line.Length && line[i] != ',')
                {
                    return new CsvRecord(start, null, $"line {_line}: unexpected '{line[i]}' after the closing quote of field {fields.Count + 1}");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        return new CsvRecord(start, null, $"line {_line}: a quote inside unquoted field {fields.Count + 1} (quote the whole field and double the quote)");
                    }

                    field.Append(line[i++]);
                }

                if (field.Length > maxFieldLength)
                {
                    return new CsvRecord(start, null, $"line {start}: field {fields.Count + 1} is longer than {maxFieldLength} characters");
                }
            }

            fields.Add(field.ToString());
            field.Clear();
            if (i >= line.Length)
            {
                return new CsvRecord(start, fields, null);
            }

            i++; // the comma
        }
    }
}
