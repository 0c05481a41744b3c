// SPDX-License-Identifier: MIT
// Test-only caller for the Uniswap V2/V3 proofs on anvil: holds tokens and pays pools from its own balance in the
// mint and swap callbacks. Never deployed anywhere but a test chain.
pragma solidity ^0.8.20;

interface IERC20Like {
    function transfer(address to, uint256 amount) external returns (bool);
}

interface IV3PoolLike {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external returns (uint256 amount0, uint256 amount1);
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes calldata data)
        external returns (int256 amount0, int256 amount1);
    function burn(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256 amount0, uint256 amount1);
}

interface IV2PairLike {
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

contract DexTestCaller {
    function mint(address pool, int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256, uint256) {
        return IV3PoolLike(pool).mint(address(this), tickLower, tickUpper, amount, "");
    }

    /// Burns liquidity of a position this contract owns (the tokens stay owed in the pool).
    function burn(address pool, int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256, uint256) {
        return IV3PoolLike(pool).burn(tickLower, tickUpper, amount);
    }

    function swap(address pool, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96) external returns (int256, int256) {
        return IV3PoolLike(pool).swap(address(this), zeroForOne, amountSpecified, sqrtPriceLimitX96, "");
    }

    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        pay(amount0Owed, amount1Owed);
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        pay(amount0Delta > 0 ? uint256(amount0Delta) : 0, amount1Delta > 0 ? uint256(amount1Delta) : 0);
    }

    /// Sends amountIn of tokenIn to the pair, then asks for the outputs (the pair checks its K invariant).
    function v2Swap(address pair, address tokenIn, uint256 amountIn, uint256 amount0Out, uint256 amount1Out) external {
        require(IERC20Like(tokenIn).transfer(pair, amountIn), "transfer");
        IV2PairLike(pair).swap(amount0Out, amount1Out, address(this), "");
    }

    function pay(uint256 amount0, uint256 amount1) private {
        if (amount0 > 0) require(IERC20Like(IV3PoolLike(msg.sender).token0()).transfer(msg.sender, amount0), "pay0");
        if (amount1 > 0) require(IERC20Like(IV3PoolLike(msg.sender).token1()).transfer(msg.sender, amount1), "pay1");
    }
}
