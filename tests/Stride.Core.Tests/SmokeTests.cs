using Stride.Core.Events;

namespace Stride.Core.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void UnknownSystemIsNamed() => Assert.Equal("_unknown_", SystemName.Normalize(null));
}
