// Prints the chain id of the network Hardhat is pointed at (used by scripts/deploy.mjs).
const hre = require("hardhat");
hre.network.provider.request({ method: "eth_chainId" }).then((id) => console.log(Number(id)));
