using Microsoft.Data.Sqlite;

namespace LowLatency.Host.Persistence;

/// <summary>
/// A row for <see cref="StoreWriter"/>. Each kind binds its own prepared insert; the writer thread runs them in
/// batches, one transaction per batch, so a row is either wholly in the database or not at all.
/// </summary>
public abstract record StoreRecord
{
    /// <summary>The table's insert with named parameters (prepared once per connection).</summary>
    internal abstract string InsertSql { get; }

    internal abstract void Bind(SqliteParameterCollection p);

    private protected static object Nullable<T>(T? value)
        where T : struct => value.HasValue ? value.Value : DBNull.Value;

    private protected static object Nullable(string? value) => value is null ? DBNull.Value : value;
}

public sealed record OpportunityRecord(
    long DecisionTimeNs,
    string Kind,
    string Instrument,
    string BuyVenue,
    string SellVenue,
    string BuyPrice,
    string SellPrice,
    string Quantity,
    double GrossEdgeBps,
    double NetEdgeBps,
    long TickToOpportunityNs) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO opportunities (decision_time_ns, kind, instrument, buy_venue, sell_venue, buy_price, sell_price, quantity, gross_edge_bps, net_edge_bps, tick_to_opportunity_ns) VALUES ($a, $b, $c, $d, $e, $f, $g, $h, $i, $j, $k)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", DecisionTimeNs);
        p.AddWithValue("$b", Kind);
        p.AddWithValue("$c", Instrument);
        p.AddWithValue("$d", BuyVenue);
        p.AddWithValue("$e", SellVenue);
        p.AddWithValue("$f", BuyPrice);
        p.AddWithValue("$g", SellPrice);
        p.AddWithValue("$h", Quantity);
        p.AddWithValue("$i", GrossEdgeBps);
        p.AddWithValue("$j", NetEdgeBps);
        p.AddWithValue("$k", TickToOpportunityNs);
    }
}

public sealed record DecisionRecord(long TimeNs, string Instrument, string Path, string InputsJson, string ModelScoresJson, string AgentVotesJson, string RiskVerdict, string? RiskReason) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO decisions (time_ns, instrument, path, inputs_json, model_scores_json, agent_votes_json, risk_verdict, risk_reason) VALUES ($a, $b, $c, $d, $e, $f, $g, $h)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", Instrument);
        p.AddWithValue("$c", Path);
        p.AddWithValue("$d", InputsJson);
        p.AddWithValue("$e", ModelScoresJson);
        p.AddWithValue("$f", AgentVotesJson);
        p.AddWithValue("$g", RiskVerdict);
        p.AddWithValue("$h", Nullable(RiskReason));
    }
}

public sealed record OrderRecord(long TimeNs, string ClientOrderId, string Venue, string Instrument, string Side, string Price, string Quantity, string Status) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO orders (time_ns, client_order_id, venue, instrument, side, price, quantity, status) VALUES ($a, $b, $c, $d, $e, $f, $g, $h)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", ClientOrderId);
        p.AddWithValue("$c", Venue);
        p.AddWithValue("$d", Instrument);
        p.AddWithValue("$e", Side);
        p.AddWithValue("$f", Price);
        p.AddWithValue("$g", Quantity);
        p.AddWithValue("$h", Status);
    }
}

public sealed record FillRecord(long TimeNs, string ClientOrderId, string Venue, string Price, string Quantity, string Fee) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO fills (time_ns, client_order_id, venue, price, quantity, fee) VALUES ($a, $b, $c, $d, $e, $f)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", ClientOrderId);
        p.AddWithValue("$c", Venue);
        p.AddWithValue("$d", Price);
        p.AddWithValue("$e", Quantity);
        p.AddWithValue("$f", Fee);
    }
}

public sealed record BundleRecord(long TimeNs, string BundleHash, long TargetBlock, string Status, long? GasEstimated, long? GasUsed) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO bundles (time_ns, bundle_hash, target_block, status, gas_estimated, gas_used) VALUES ($a, $b, $c, $d, $e, $f)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", BundleHash);
        p.AddWithValue("$c", TargetBlock);
        p.AddWithValue("$d", Status);
        p.AddWithValue("$e", Nullable(GasEstimated));
        p.AddWithValue("$f", Nullable(GasUsed));
    }
}

public sealed record PredictionRecord(long TimeNs, string Model, string Instrument, double Predicted, double? Actual) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO predictions (time_ns, model, instrument, predicted, actual) VALUES ($a, $b, $c, $d, $e)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", Model);
        p.AddWithValue("$c", Instrument);
        p.AddWithValue("$d", Predicted);
        p.AddWithValue("$e", Nullable(Actual));
    }
}

public sealed record PnlRecord(long TimeNs, string Strategy, string Path, double PnlUsd, double PnlEth) : StoreRecord
{
    internal override string InsertSql => "INSERT INTO pnl (time_ns, strategy, path, pnl_usd, pnl_eth) VALUES ($a, $b, $c, $d, $e)";

    internal override void Bind(SqliteParameterCollection p)
    {
        p.AddWithValue("$a", TimeNs);
        p.AddWithValue("$b", Strategy);
        p.AddWithValue("$c", Path);
        p.AddWithValue("$d", PnlUsd);
        p.AddWithValue("$e", PnlEth);
    }
}
