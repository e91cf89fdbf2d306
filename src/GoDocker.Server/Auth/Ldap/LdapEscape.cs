using System.Text;

namespace GoDocker.Server.Auth.Ldap;

/// <summary>
/// Puts untrusted text (a login) into LDAP filters and DNs as a literal value, so that <c>*</c> or
/// <c>alice)(uid=*</c> matches nobody but someone whose login is exactly that.
/// </summary>
public static class LdapEscape
{
    /// <summary>RFC 4515 §3: <c>*</c> <c>(</c> <c>)</c> <c>\</c> and NUL as <c>\XX</c>.</summary>
    public static string FilterValue(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '*' => escaped.Append(@"\2a"),
                '(' => escaped.Append(@"\28"),
                ')' => escaped.Append(@"\29"),
                '\\' => escaped.Append(@"\5c"),
                '\0' => escaped.Append(@"\00"),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }

    /// <summary>RFC 4514 §2.4: an attribute value inside a DN (<c>uid={0},ou=people,…</c>).</summary>
    public static string DnValue(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                escaped.Append(@"\00");
            }
            else if (c is '"' or '+' or ',' or ';' or '<' or '>' or '\\' or '='
                     || (i == 0 && c is ' ' or '#')
                     || (i == value.Length - 1 && c == ' '))
            {
                escaped.Append('\\').Append(c);
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    /// <summary>The value of a DN's first RDN, unescaped: <c>cn=admins,ou=groups,…</c> gives <c>admins</c>; null if it has none.</summary>
    public static string? FirstRdnValue(string dn)
    {
        var equals = dn.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return null;
        }
        var bytes = new List<byte>();
        var text = new StringBuilder();
        for (var i = equals + 1; i < dn.Length; i++)
        {
            var c = dn[i];
            if (c is ',' or '+')
            {
                break;
            }
            if (c == '\\' && i + 1 < dn.Length)
            {
                // \XX is one byte of UTF-8; \c is c itself.
                if (i + 2 < dn.Length && Uri.IsHexDigit(dn[i + 1]) && Uri.IsHexDigit(dn[i + 2]))
                {
                    bytes.Add(Convert.ToByte(dn.Substring(i + 1, 2), 16));
                    i += 2;
                    continue;
                }
                Flush();
                text.Append(dn[++i]);
                continue;
            }
            Flush();
            text.Append(c);
        }
        Flush();
        return text.Length == 0 ? null : text.ToString();

        void Flush()
        {
            if (bytes.Count > 0)
            {
                text.Append(Encoding.UTF8.GetString([.. bytes]));
                bytes.Clear();
            }
        }
    }
}
