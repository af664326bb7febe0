// hog (tests only): allocates and touches 1 MiB blocks until the memory limit stops it. The stub
// runtime traps (`unreachable`) when `memory.grow` fails, which the keeper reports as MEMORY.
export { alloc } from "./lib/abi";

const CHUNK: usize = 1 << 20;
const chunks = new Array<usize>();

export function run(_ptr: usize, _len: i32): usize {
  while (true) {
    const chunk = heap.alloc(CHUNK);
    memory.fill(chunk, <u8>(chunks.length + 1), CHUNK);
    chunks.push(chunk);
  }
}
