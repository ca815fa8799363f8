using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Stride.Core.Metrics;
using Stride.Server.Dashboard;

namespace Stride.Dashboard.Tests;

/// <summary>The "All numbers" table: every field of the API's blocks, raw and in human units.</summary>
public sealed class AllNumbersTests
{
    /// <summary>As <c>Program.cs</c> writes the API's JSON.</summary>
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly MetricsReport Full = new(
        new DeploymentFrequency(12, 0.4, 9, 2.5, Tier.High),
        new LeadTimeForChanges(30, 15_000, 183_600, 40_000.5, 2, 1, Tier.Elite),
        new ChangeFailureRate(12, 3, 0.25, Tier.Low),
        new TimeToRestore(4, 3_600, 5_400, 7_200, 1, Tier.High),
        new FailedDeploymentRecoveryTime(3, 720, Tier.Elite),
        new ReworkRate(12, 2, 2.0 / 12));

    [Fact]
    public void EveryFieldOfTheApiIsShownWithItsRawValue()
    {
        var json = JsonSerializer.SerializeToElement(Full, ApiJson);
        var expected = json.EnumerateObject()
            .SelectMany(block => block.Value.EnumerateObject().Select(f => ($"{block.Name}.{f.Name}", Raw(f.Value))))
            .ToArray();

        var shown = AllNumbers.Of(Full).SelectMany(b => b.Rows).Select(r => (r.Field, r.Raw)).ToArray();

        Assert.Equal(expected, shown);
    }

    [Fact]
    public void ValuesReadInHumanUnits()
    {
        var rows = AllNumbers.Of(Full).SelectMany(b => b.Rows).ToDictionary(r => r.Field, r => r.Text);

        Assert.Equal("2.8 per week", rows["deploymentFrequency.perDay"]);
        Assert.Equal("2.5 of 7 days", rows["deploymentFrequency.medianDeploymentDaysPerWeek"]);
        Assert.Equal("2 d 3 h", rows["leadTimeForChanges.p90Seconds"]);
        Assert.Equal("25.0 %", rows["changeFailureRate.rate"]);
        Assert.Equal("Low", rows["changeFailureRate.tier"]);
        Assert.Equal("1", rows["timeToRestore.openIncidents"]);
    }

    [Fact]
    public void NullsReadAsADashWithAnEmptyRawValue()
    {
        var empty = new MetricsReport(
            new DeploymentFrequency(0, 0, 0, null, null),
            new LeadTimeForChanges(0, null, null, null, 0, 0, null),
            new ChangeFailureRate(0, 0, null, null),
            new TimeToRestore(0, null, null, null, 0, null),
            new FailedDeploymentRecoveryTime(0, null, null),
            new ReworkRate(0, 0, null));

        var rows = AllNumbers.Of(empty).SelectMany(b => b.Rows).ToDictionary(r => r.Field);

        Assert.All(new[] { "leadTimeForChanges.medianSeconds", "changeFailureRate.rate", "deploymentFrequency.tier", "reworkRate.rate" },
            field =>
            {
                Assert.True(rows[field].IsMissing);
                Assert.Equal("", rows[field].Raw);
                Assert.Equal(AllNumbers.Missing, rows[field].Text);
            });
        Assert.Equal("0", rows["deploymentFrequency.deployments"].Raw);
    }

    private static string Raw(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
    };
}
