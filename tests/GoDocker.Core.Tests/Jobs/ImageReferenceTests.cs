using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class ImageReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("debian")]
    [InlineData("debian:bookworm")]
    [InlineData("godocker/busybox:latest")]
    [InlineData("registry.example:5000/team/tool:1.2")]
    [InlineData("localhost:5000/tool")]
    [InlineData("debian@" + Digest)]
    [InlineData("registry.example/team/tool:1.2@" + Digest)]
    [InlineData("my_org/my-tool__x")]
    [InlineData("debian:Bookworm_1.0-rc")]
    public void IsValid_AcceptsEngineReferences(string reference)
    {
        Assert.True(ImageReference.IsValid(reference));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("team/UPPER")]
    [InlineData("registry.example/Team/tool")]
    [InlineData("bad image!")]
    [InlineData("a:b:c")]
    [InlineData("debian:")]
    [InlineData("debian:.tag")]
    [InlineData("-debian")]
    [InlineData("debian-")]
    [InlineData("team//tool")]
    [InlineData("/debian")]
    [InlineData("debian@sha256:abc")]
    [InlineData("debian@" + Digest + "@" + Digest)]
    public void IsValid_RefusesWhatNoEngineWouldAccept(string? reference)
    {
        Assert.False(ImageReference.IsValid(reference));
    }

    [Fact]
    public void IsValid_ReadsAnUppercaseFirstComponent_AsARegistryHost_AsTheEngineDoes()
    {
        // distribution/reference: a first component that is not lowercase is a domain, and domains may
        // hold capitals, so "UPPER/case" is syntactically fine (the pull would go to host UPPER).
        Assert.True(ImageReference.IsValid("UPPER/case"));
        Assert.False(ImageReference.IsValid("UPPER/Case"));
    }

    [Fact]
    public void IsValid_RefusesReferencesLongerThan255Characters()
    {
        var name = new string('a', 250);
        Assert.True(ImageReference.IsValid(name));
        Assert.False(ImageReference.IsValid(name + "/abcde"));
    }

    [Theory]
    [InlineData("debian", "debian:latest")]
    [InlineData("debian:bookworm", "debian:bookworm")]
    [InlineData("godocker/busybox", "godocker/busybox:latest")]
    [InlineData("registry.example:5000/team/tool", "registry.example:5000/team/tool:latest")]
    [InlineData("registry.example:5000/team/tool:1.2", "registry.example:5000/team/tool:1.2")]
    [InlineData("localhost:5000/tool", "localhost:5000/tool:latest")]
    [InlineData("debian@" + Digest, "debian@" + Digest)]
    [InlineData("registry.example:5000/tool@" + Digest, "registry.example:5000/tool@" + Digest)]
    public void Normalize_AddsLatest_OnlyWhenNeitherTagNorDigestIsGiven(string reference, string expected)
    {
        Assert.Equal(expected, ImageReference.Normalize(reference));
    }
}
