namespace LowLatency.HotPath.Ring;

/// <summary>How many threads claim slots in a ring; chosen once at construction.</summary>
public enum ProducerType
{
    /// <summary>Exactly one thread ever calls the claim/publish methods: no atomic instructions on claim.</summary>
    Single = 0,

    /// <summary>Any number of threads claim with a CAS on the cursor and publish through a per-slot availability buffer.</summary>
    Multi = 1,
}
