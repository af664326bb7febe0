// spin (tests only): never returns, so the keeper's wall-clock limit must stop it.
export { alloc } from "./lib/abi";

let turns: u64 = 0;

export function run(ptr: usize, len: i32): usize {
  while (true) {
    turns += <u64>len + 1;
  }
}

export function spun(): u64 {
  return turns;
}
