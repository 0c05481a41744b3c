using System.Collections.Concurrent;
using LowLatency.Adapters.Ethereum.JsonRpc;
using LowLatency.Adapters.Ethereum.Nonces;
using LowLatency.Adapters.Ethereum.Tests.JsonRpc;

namespace LowLatency.Adapters.Ethereum.Tests.Nonces;

public sealed class NonceManagerTests
{
    private static readonly Address s_account = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    // The fake node answers every call: a timeout no loaded CI box reaches (500 ms did, on the first call's start-up).
    private static readonly JsonRpcOptions s_fast = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(60),
        MaxAttempts = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public async Task Starts_from_the_node_and_counts_locally()
    {
        var nodeCount = 7UL;
        await using var server = new FakeRpcServer(req => new(200, FakeRpcServer.Result(req, "\"0x" + nodeCount.ToString("x") + "\"")));
        await using var client = JsonRpcClient.ForHttp(server.HttpUrl, s_fast);
        var nonces = NonceManager.ForClient(client, s_account);

        Assert.False(nonces.TryReserve(out _));
        Assert.Throws<InvalidOperationException>(() => nonces.Reserve());

        var init = await nonces.InitialiseAsync();
        Assert.True(init.IsOk, init.ToString());
        Assert.Equal(7UL, nonces.Reserve());
        Assert.Equal(8UL, nonces.Reserve());
        Assert.Equal(9UL, nonces.Next);
        Assert.Contains(server.Received, r => r.Contains("eth_getTransactionCount", StringComparison.Ordinal) &&
                                              r.Contains("\"pending\"", StringComparison.Ordinal) &&
                                              r.Contains("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_last_reservation_can_be_handed_back_and_then_it_is_issued_again()
    {
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(5)));
        Assert.True((await nonces.InitialiseAsync()).IsOk);
        ulong first = nonces.Reserve();
        ulong second = nonces.Reserve();

        Assert.False(nonces.TryGiveBack(first));
        Assert.Equal(7UL, nonces.Next);
        Assert.True(nonces.TryGiveBack(second));
        Assert.False(nonces.TryGiveBack(second));
        Assert.Equal(second, nonces.Reserve());
        Assert.False(nonces.TryGiveBack(ulong.MaxValue));
    }

    [Fact]
    public async Task Nonce_too_low_moves_up_to_the_node_and_never_reissues()
    {
        var nodeCount = 3UL;
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(nodeCount)));
        await nonces.InitialiseAsync();
        Assert.Equal(3UL, nonces.Reserve());

        // Another sender used 3..9.
        nodeCount = 10;
        var r = await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "nonce too low: next nonce 10, tx nonce 4"));
        Assert.NotNull(r);
        Assert.Equal(new NonceReconciliation(10, 10, 0), r.Value.Value);
        Assert.Equal(10UL, nonces.Reserve());
        Assert.Equal(1, nonces.ReconciliationCount);
    }

    [Fact]
    public async Task Node_behind_us_never_moves_the_counter_down()
    {
        var nodeCount = 5UL;
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(nodeCount)));
        await nonces.InitialiseAsync();
        for (var i = 0; i < 4; i++)
        {
            nonces.Reserve(); // 5..8 signed
        }

        // The node lost our pool entries (restart): it says 5 again. We must not sign 5..8 again.
        var r = await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "replacement transaction underpriced"));
        Assert.Equal(new NonceReconciliation(5, 9, 4), r!.Value.Value);
        Assert.Equal(9UL, nonces.Reserve());

        r = await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "already known"));
        Assert.Equal(10UL, r!.Value.Value.LocalNext);
    }

    [Fact]
    public async Task Other_errors_do_not_reconcile_and_node_failures_are_values()
    {
        var calls = 0;
        var nonces = new NonceManager(s_account, _ =>
            Task.FromResult(Interlocked.Increment(ref calls) == 1 ? RpcResult<ulong>.Ok(1) : RpcResult<ulong>.Fail(RpcError.TimeoutError("node down"))));
        await nonces.InitialiseAsync();
        Assert.Null(await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "insufficient funds for gas * price + value")));
        Assert.Null(await nonces.OnSendErrorAsync(RpcError.TransportError("reset")));
        Assert.Equal(1, calls);

        var failed = await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "Nonce too low"));
        Assert.Equal(RpcErrorKind.Timeout, failed!.Value.Error!.Kind);
        Assert.Equal(1UL, nonces.Reserve());
    }

    [Fact]
    public async Task Concurrent_reservations_are_unique_and_dense_even_with_reconciliation()
    {
        var nodeCount = 100UL;
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(Interlocked.Read(ref nodeCount))));
        await nonces.InitialiseAsync();
        var seen = new ConcurrentBag<ulong>();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                seen.Add(nonces.Reserve());
                if (i % 500 == 0)
                {
                    await nonces.OnSendErrorAsync(RpcError.NodeError(-32000, "nonce too low"));
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.Equal(8000, seen.Count);
        Assert.Equal(8000, seen.Distinct().Count());
        Assert.Equal(100UL, seen.Min());
        Assert.Equal(8099UL, seen.Max());
    }

    [Fact]
    public async Task A_single_reserver_racing_reconciliation_never_gets_a_nonce_twice()
    {
        // The strategy thread reserves alone while another thread reconciles with a node that keeps jumping ahead of
        // it. Whatever the interleaving, one reserver's nonces must rise strictly: a repeat or a step back is a nonce
        // handed out twice (or one the node already counts as used). The reserver goes on until the reconciler has run
        // while it reserved, however the two threads are scheduled (no clock, no fixed share of the CPU assumed).
        const long MinReservations = 200_000;
        const long MinRoundsDuring = 20;
        const long GiveUpAfter = 200_000_000;
        ulong nodeCount = 10;
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(Interlocked.Read(ref nodeCount))));
        await nonces.InitialiseAsync();
        long rounds = 0;
        long refused = 0;
        long reservations = 0;
        long stepsBack = 0;
        long roundsDuring = 0;
        ulong first = 0;
        ulong last = 0;
        string firstStepBack = "";
        using var done = new CancellationTokenSource();
        var reserver = new Thread(() =>
        {
            long roundsAtStart = Interlocked.Read(ref rounds);
            ulong previous = 0;
            while (reservations < GiveUpAfter && (reservations < MinReservations || Interlocked.Read(ref rounds) - roundsAtStart < MinRoundsDuring))
            {
                if (!nonces.TryReserve(out ulong nonce))
                {
                    refused++;
                    continue;
                }

                if (reservations == 0)
                {
                    first = nonce;
                }
                else if (nonce <= previous)
                {
                    stepsBack++;
                    if (firstStepBack.Length == 0)
                    {
                        firstStepBack = $"nonce {nonce} after {previous} at {reservations}";
                    }
                }

                previous = nonce;
                reservations++;
            }

            last = previous;
            roundsDuring = Interlocked.Read(ref rounds) - roundsAtStart;
        });
        Task reconciler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                // The node jumps ahead of what we handed out (another sender), or lags behind it.
                Interlocked.Exchange(ref nodeCount, nonces.Next + (ulong)(Environment.TickCount64 & 7) - 3);
                await nonces.ReconcileAsync();
                Interlocked.Increment(ref rounds);
            }
        });
        reserver.Start();
        reserver.Join();
        done.Cancel();
        await reconciler;
        Assert.True(roundsDuring >= MinRoundsDuring, $"the reconciler ran {roundsDuring} rounds during {reservations} reservations");
        Assert.Equal(0, refused);
        Assert.True(stepsBack == 0, $"{stepsBack} nonces did not rise; first: {firstStepBack}");

        // The reconciler may run before the first reservation and raise the start: never below the node's first count.
        Assert.True(first >= 10UL, $"first nonce {first} below the node's count 10");
        Assert.True(nonces.Next > last);
    }

    [Fact]
    public async Task Reserving_allocates_nothing()
    {
        var nonces = new NonceManager(s_account, _ => Task.FromResult(RpcResult<ulong>.Ok(1)));
        await nonces.InitialiseAsync();
        nonces.TryReserve(out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            nonces.TryReserve(out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
