// SPDX-License-Identifier: MIT
// The flash-loan arbitrage executor: borrows one asset from Aave V3 (flashLoanSimple), runs the swap legs on
// Uniswap V2 pairs and V3 pools, checks the profit, repays Aave, pays the block builder a share and sends the rest to
// the owner, all in one transaction that reverts as a whole if any step fails.
pragma solidity 0.8.37;

interface IERC20 {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
}

interface IWETH is IERC20 {
    function withdraw(uint256 amount) external;
}

interface IAavePool {
    function flashLoanSimple(address receiver, address asset, uint256 amount, bytes calldata params, uint16 referralCode)
        external;
}

interface IV2Pair {
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

interface IV3Pool {
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes calldata data)
        external returns (int256 amount0, int256 amount1);
}

contract FlashArbExecutor {
    // One leg is four words: [pool | kind << 160 | zeroForOne << 168], tokenIn, amountIn, amountOut.
    // kind 0 = V2 pair (amountOut is what the pair is asked for; it checks K), 1 = V3 pool (exact input, amountOut is
    // the least accepted).
    uint256 private constant LEG_BYTES = 128;
    uint160 private constant MIN_SQRT_RATIO_PLUS_ONE = 4295128740;
    uint160 private constant MAX_SQRT_RATIO_MINUS_ONE = 1461446703485210103287273052203988822378723970341;

    address public immutable owner;
    IAavePool public immutable aavePool;
    IWETH public immutable weth;

    // Per-transaction state, gone when the transaction ends: a callback outside a running execute() finds zeros.
    bool private transient inFlight;
    address private transient expectedPool;
    address private transient expectedToken;
    uint256 private transient expectedMaxIn;
    uint256 private transient startBalance;
    uint256 private transient minProfitWanted;

    event Executed(address indexed asset, uint256 amount, uint256 profit, uint256 builderPayment);

    error NotOwner();
    error NotAavePool();
    error NotInitiator();
    error NotExpectedPool();
    error BadLegs();
    error LegOutputTooLow(uint256 leg, uint256 received, uint256 wanted);
    error NotProfitable(uint256 balance, uint256 required);
    error BuilderPaymentNeedsWeth();
    error TransferFailed();

    constructor(address aavePool_, address weth_) {
        owner = msg.sender;
        aavePool = IAavePool(aavePool_);
        weth = IWETH(weth_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// Borrows `amount` of `asset`, runs `legs`, requires `minProfit` left after repaying, pays `builderBps`/10000 of
    /// the profit to block.coinbase (in ETH, so the asset must be WETH when it is not zero), sends the rest to the owner.
    function execute(address asset, uint256 amount, uint256 minProfit, uint256 builderBps, bytes calldata legs)
        external onlyOwner
    {
        if (legs.length == 0 || legs.length % LEG_BYTES != 0 || builderBps > 10_000) revert BadLegs();
        if (builderBps != 0 && asset != address(weth)) revert BuilderPaymentNeedsWeth();
        uint256 before = IERC20(asset).balanceOf(address(this));
        inFlight = true;
        startBalance = before;
        minProfitWanted = minProfit;
        aavePool.flashLoanSimple(address(this), asset, amount, legs, 0);
        inFlight = false;

        // Aave pulled exactly amount + premium; an allowance left over would be a standing approval.
        if (IERC20(asset).allowance(address(this), address(aavePool)) != 0) {
            if (!IERC20(asset).approve(address(aavePool), 0)) revert TransferFailed();
        }

        uint256 profit = IERC20(asset).balanceOf(address(this)) - before;
        uint256 builderPayment = profit * builderBps / 10_000;
        if (builderPayment != 0) {
            weth.withdraw(builderPayment);
            (bool paid,) = block.coinbase.call{value: builderPayment}("");
            if (!paid) revert TransferFailed();
        }

        if (profit - builderPayment != 0) {
            if (!IERC20(asset).transfer(owner, profit - builderPayment)) revert TransferFailed();
        }

        emit Executed(asset, amount, profit, builderPayment);
    }

    /// Aave V3's callback. Only the Aave pool may call it, only for a loan this contract asked for in a running execute().
    function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes calldata legs)
        external returns (bool)
    {
        if (msg.sender != address(aavePool)) revert NotAavePool();
        if (initiator != address(this) || !inFlight) revert NotInitiator();

        uint256 count = legs.length / LEG_BYTES;
        for (uint256 i = 0; i < count; i++) {
            runLeg(i, legs[i * LEG_BYTES:(i + 1) * LEG_BYTES]);
        }

        uint256 required = startBalance + amount + premium + minProfitWanted;
        uint256 balance = IERC20(asset).balanceOf(address(this));
        if (balance < required) revert NotProfitable(balance, required);
        if (!IERC20(asset).approve(address(aavePool), amount + premium)) revert TransferFailed();
        return true;
    }

    function runLeg(uint256 index, bytes calldata leg) private {
        (uint256 head, address tokenIn, uint256 amountIn, uint256 amountOut) =
            abi.decode(leg, (uint256, address, uint256, uint256));
        address pool = address(uint160(head));
        uint256 kind = (head >> 160) & 0xff;
        bool zeroForOne = ((head >> 168) & 0xff) != 0;
        if (kind == 0) {
            if (!IERC20(tokenIn).transfer(pool, amountIn)) revert TransferFailed();
            (uint256 out0, uint256 out1) = zeroForOne ? (uint256(0), amountOut) : (amountOut, uint256(0));
            IV2Pair(pool).swap(out0, out1, address(this), "");
        } else if (kind == 1) {
            if (amountIn > uint256(type(int256).max)) revert BadLegs();
            expectedPool = pool;
            expectedToken = tokenIn;
            expectedMaxIn = amountIn;
            (int256 amount0, int256 amount1) = IV3Pool(pool).swap(
                address(this), zeroForOne, int256(amountIn),
                zeroForOne ? MIN_SQRT_RATIO_PLUS_ONE : MAX_SQRT_RATIO_MINUS_ONE, "");
            expectedPool = address(0);
            uint256 received = uint256(-(zeroForOne ? amount1 : amount0));
            if (received < amountOut) revert LegOutputTooLow(index, received, amountOut);
        } else {
            revert BadLegs();
        }
    }

    /// Uniswap V3's swap callback: pays only the pool this transaction is swapping on, only the input token, at most
    /// the leg's amount in.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != expectedPool || msg.sender == address(0)) revert NotExpectedPool();
        expectedPool = address(0);
        uint256 owed = amount0Delta > 0 ? uint256(amount0Delta) : uint256(amount1Delta);
        if (owed > expectedMaxIn) revert NotExpectedPool();
        if (!IERC20(expectedToken).transfer(msg.sender, owed)) revert TransferFailed();
    }

    /// Anything left here (a token sent by mistake, ETH) goes back to the owner.
    function rescue(address token, address to, uint256 amount) external onlyOwner {
        if (token == address(0)) {
            (bool sent,) = to.call{value: amount}("");
            if (!sent) revert TransferFailed();
        } else if (!IERC20(token).transfer(to, amount)) {
            revert TransferFailed();
        }
    }

    receive() external payable {
        if (msg.sender != address(weth)) revert NotOwner();
    }
}
