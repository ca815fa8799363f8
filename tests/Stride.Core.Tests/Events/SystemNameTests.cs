using Stride.Core.Events;

namespace Stride.Core.Tests.Events;

public sealed class SystemNameTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void MissingOrBlankIsUnknown(string? value) => Assert.Equal("_unknown_", SystemName.Normalize(value));

    [Theory]
    [InlineData("  Payments-API\t", "Payments-API")]
    [InlineData("svc-1", "svc-1")]
    [InlineData("Svc-1", "Svc-1")]
    [InlineData("team@example", "team@example")]
    [InlineData("ftp://host/org/repo", "ftp://host/org/repo")]
    [InlineData("https://github.com", "https://github.com")]
    public void OtherValuesAreTrimmedAndKeepTheirCase(string value, string expected)
        => Assert.Equal(expected, SystemName.Normalize(value));

    [Theory]
    [InlineData("https://github.com/acme/api.git", "github.com/acme/api")]
    [InlineData("http://github.com/acme/api", "github.com/acme/api")]
    [InlineData("https://GitHub.COM/Acme/API.git", "github.com/Acme/API")]
    [InlineData("https://user:s3cret@github.com/acme/api.git", "github.com/acme/api")]
    [InlineData("https://github.com:443/acme/api", "github.com/acme/api")]
    [InlineData("https://github.com/acme/api/", "github.com/acme/api")]
    [InlineData("https://github.com/acme/api.git/", "github.com/acme/api")]
    [InlineData("ssh://git@gitlab.example.com:2222/group/sub/api.git", "gitlab.example.com/group/sub/api")]
    [InlineData("git@GitHub.com:acme/api.git", "github.com/acme/api")]
    [InlineData("git@github.com:acme/api", "github.com/acme/api")]
    [InlineData("  https://github.com/acme/api.git  ", "github.com/acme/api")]
    public void RepositoryUrlsBecomeHostAndPath(string value, string expected)
        => Assert.Equal(expected, SystemName.Normalize(value));

    [Fact]
    public void NormalizedNamesStayTheSame()
        => Assert.Equal("github.com/acme/api", SystemName.Normalize(SystemName.Normalize("git@github.com:acme/api.git")));
}
