// SPDX-License-Identifier: MIT
// Development-only helper for local chains (the demo and the tests): mints Uniswap V3 positions and pays the pool
// from its own balance in the mint callback. Never deployed to a public chain.
pragma solidity 0.8.37;

interface IERC20Min {
    function transfer(address to, uint256 amount) external returns (bool);
}

interface IV3PoolMin {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external returns (uint256 amount0, uint256 amount1);
}

contract DevLiquidity {
    address private immutable deployer = msg.sender;
    address private minting;

    function mint(address pool, int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256, uint256) {
        require(msg.sender == deployer, "deployer only");
        minting = pool;
        (uint256 a0, uint256 a1) = IV3PoolMin(pool).mint(deployer, tickLower, tickUpper, amount, "");
        minting = address(0);
        return (a0, a1);
    }

    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        require(msg.sender == minting, "not minting");
        if (amount0Owed > 0) require(IERC20Min(IV3PoolMin(msg.sender).token0()).transfer(msg.sender, amount0Owed), "pay0");
        if (amount1Owed > 0) require(IERC20Min(IV3PoolMin(msg.sender).token1()).transfer(msg.sender, amount1Owed), "pay1");
    }
}
