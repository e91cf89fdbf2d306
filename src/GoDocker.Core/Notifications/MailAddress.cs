namespace GoDocker.Jobs;

/// <summary>
/// A plain mail address as a job may name one (local@domain, no display name, no spaces or control characters, at most
/// 254 characters): what an SMTP server is given as the recipient, never a header a user could fold into another.
/// </summary>
public static class MailAddress
{
    public static bool IsValid(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 254)
        {
            return false;
        }
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.IndexOf('@') != at)
        {
            return false;
        }
        foreach (var c in address)
        {
            if (c <= ' ' || c >= 0x7f || c is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']')
            {
                return false;
            }
        }
        var domain = address[(at + 1)..];
        return !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..", StringComparison.Ordinal);
    }
}
