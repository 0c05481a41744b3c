using LowLatency.HotPath.Risk;

namespace LowLatency.Host.Dashboard;

/// <summary>The words the dashboard, the API and the metrics use for the gate's reasons.</summary>
public static class RiskText
{
    /// <summary>"killSwitch", "dailyLossLimit" … (the enum name, camelCase).</summary>
    public static string Reason(RiskReason r)
    {
        string s = r.ToString();
        return char.ToLowerInvariant(s[0]) + s[1..];
    }
}
