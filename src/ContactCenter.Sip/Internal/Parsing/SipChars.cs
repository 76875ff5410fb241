using System.Buffers;
using System.Text;

namespace ContactCenter.Sip.Internal.Parsing;

/// <summary>Character classes of the RFC 3261 §25 grammar, as one lookup table of flags.</summary>
internal static class SipChars
{
    public const byte Space = (byte)' ';
    public const byte Tab = (byte)'\t';
    public const byte Cr = (byte)'\r';
    public const byte Lf = (byte)'\n';
    public const byte Colon = (byte)':';
    public const byte Semicolon = (byte)';';
    public const byte Comma = (byte)',';
    public const byte Equal = (byte)'=';
    public const byte Quote = (byte)'"';
    public const byte Backslash = (byte)'\\';
    public const byte LeftAngle = (byte)'<';
    public const byte RightAngle = (byte)'>';
    public const byte Slash = (byte)'/';
    public const byte At = (byte)'@';
    public const byte Percent = (byte)'%';
    public const byte Question = (byte)'?';
    public const byte Ampersand = (byte)'&';
    public const byte LeftBracket = (byte)'[';
    public const byte RightBracket = (byte)']';
    public const byte Star = (byte)'*';

    private const ushort TokenFlag = 1;        // token
    private const ushort UserFlag = 2;         // unreserved / user-unreserved
    private const ushort PasswordFlag = 4;     // unreserved / & = + $ ,
    private const ushort ParamFlag = 8;        // unreserved / param-unreserved
    private const ushort HeaderFlag = 16;      // unreserved / hnv-unreserved
    private const ushort UnreservedFlag = 256; // unreserved
    private const ushort TelFlag = 512;        // tel URI number characters

    private const string AlphaNum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Mark = "-_.!~*'()";
    private const string TokenChars = AlphaNum + "-.!%*_+`'~";

    private static readonly ushort[] Table = BuildTable();

    /// <summary>token characters.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Encoding.ASCII.GetBytes(TokenChars));

    /// <summary>Characters of a SIP URI user part, '%' included (escapes are checked separately).</summary>
    public static readonly SearchValues<byte> UserOrPercent = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + Mark + "&=+$,;?/%"));

    /// <summary>Characters of a SIP URI password, '%' included.</summary>
    public static readonly SearchValues<byte> PasswordOrPercent = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + Mark + "&=+$,%"));

    /// <summary>paramchar without the escapes, '%' included.</summary>
    public static readonly SearchValues<byte> ParamOrPercent = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + Mark + "[]/:&+$%"));

    /// <summary>hname / hvalue characters, '%' included.</summary>
    public static readonly SearchValues<byte> HeaderOrPercent = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + Mark + "[]/?:+$%"));

    /// <summary>Host name and IPv4 characters.</summary>
    public static readonly SearchValues<byte> Host = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + "-."));

    /// <summary>Call-ID word characters.</summary>
    public static readonly SearchValues<byte> Word = SearchValues.Create(Encoding.ASCII.GetBytes(AlphaNum + "-.!%*_+`'~()<>:\\\"/[]?{}"));

    /// <summary>gen-value characters outside a quoted-string: token and host.</summary>
    public static readonly SearchValues<byte> GenValue = SearchValues.Create(Encoding.ASCII.GetBytes(TokenChars + ":[]"));

    /// <summary>Index of the first byte at or after <paramref name="i"/> not in <paramref name="values"/>, or the length.</summary>
    public static int Skip(ReadOnlySpan<byte> s, int i, SearchValues<byte> values)
    {
        if ((uint)i >= (uint)s.Length)
        {
            return Math.Max(i, s.Length);
        }

        var n = s[i..].IndexOfAnyExcept(values);
        return n < 0 ? s.Length : i + n;
    }

    public static bool IsToken(byte b) => (Table[b] & TokenFlag) != 0;

    public static bool IsUserChar(byte b) => (Table[b] & UserFlag) != 0;

    public static bool IsPasswordChar(byte b) => (Table[b] & PasswordFlag) != 0;

    public static bool IsParamChar(byte b) => (Table[b] & ParamFlag) != 0;

    public static bool IsHeaderChar(byte b) => (Table[b] & HeaderFlag) != 0;

    public static bool IsUnreserved(byte b) => (Table[b] & UnreservedFlag) != 0;

    public static bool IsTelChar(byte b) => (Table[b] & TelFlag) != 0;

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 5;

    /// <summary>SP or HTAB.</summary>
    public static bool IsWsp(byte b) => b is Space or Tab;

    /// <summary>Linear white space inside an indexed header value: folds keep their CRLF, so CR and LF count too.</summary>
    public static bool IsLws(byte b) => b is Space or Tab or Cr or Lf;

    public static int HexValue(byte b) => IsDigit(b) ? b - '0' : (b | 0x20) - 'a' + 10;

    private static ushort[] BuildTable()
    {
        var t = new ushort[256];
        const string alphanum = AlphaNum;
        const string mark = Mark;
        Set(t, alphanum + mark, UnreservedFlag | UserFlag | PasswordFlag | ParamFlag | HeaderFlag);
        Set(t, TokenChars, TokenFlag);
        Set(t, "&=+$,;?/", UserFlag);
        Set(t, "&=+$,", PasswordFlag);
        Set(t, "[]/:&+$", ParamFlag);
        Set(t, "[]/?:+$", HeaderFlag);
        Set(t, "0123456789ABCDEFabcdef*#+-.()", TelFlag);
        return t;
    }

    private static void Set(ushort[] table, string chars, ushort flag)
    {
        foreach (var c in chars)
        {
            table[c] |= flag;
        }
    }
}
