namespace GoDocker.LdapTests.Infrastructure;

/// <summary>What scripts/slapd.sh puts in the directory (kept in step with the script's header).</summary>
public static class SeededDirectory
{
    public const string Suffix = "dc=godocker,dc=test";
    public const string People = "ou=people," + Suffix;
    public const string Groups = "ou=groups," + Suffix;
    public const string Reader = "cn=reader," + Suffix;
    public const string ReaderPassword = "reader-secret";

    /// <summary>posixAccount 2001/2001, /home/alice, alice@godocker.test; groups alice (2001), genomics (3001), users (100).</summary>
    public const string Alice = "alice";
    public const string AlicePassword = "alice-secret";
    public const string AliceDn = "uid=alice," + People;

    /// <summary>posixAccount 2002/2002; groups bob (2002), users (100); member of the groupOfNames admins (memberOf).</summary>
    public const string Bob = "bob";
    public const string BobPassword = "bob-secret";

    /// <summary>inetOrgPerson only: no uidNumber, gidNumber or homeDirectory.</summary>
    public const string Dave = "dave";
    public const string DavePassword = "dave-secret";
}
