import { createDecipheriv, createCipheriv, pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { bytesToHex, concat, hexToBytes, keccak256 } from "viem";
import { ConfigError } from "./config.js";

// Encrypted JSON keystores in the Web3 Secret Storage format (version 3), as written by geth,
// ethers and most wallets: scrypt or pbkdf2 key derivation, aes-128-ctr, keccak256 MAC.

type Keystore = {
  version: number;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: "scrypt" | "pbkdf2";
    kdfparams: { dklen: number; salt: string; n?: number; r?: number; p?: number; c?: number; prf?: string };
    mac: string;
  };
};

function deriveKey(ks: Keystore, password: string): Buffer {
  const p = ks.crypto.kdfparams;
  const salt = Buffer.from(p.salt, "hex");
  if (ks.crypto.kdf === "scrypt") {
    const n = p.n ?? 0;
    return scryptSync(password, salt, p.dklen, { N: n, r: p.r, p: p.p, maxmem: 256 * n * (p.r ?? 8) + 1024 * 1024 });
  }
  if (ks.crypto.kdf === "pbkdf2") {
    if (p.prf !== "hmac-sha256") throw new ConfigError("BATON_KEYSTORE", `unsupported pbkdf2 prf ${p.prf}`);
    return pbkdf2Sync(password, salt, p.c ?? 0, p.dklen, "sha256");
  }
  throw new ConfigError("BATON_KEYSTORE", `unsupported kdf ${String(ks.crypto.kdf)}`);
}

/** Decrypts a version-3 keystore; a wrong password is reported as such, never as a bad key. */
export function decryptKeystore(json: string, password: string): `0x${string}` {
  let ks: Keystore;
  try {
    ks = JSON.parse(json) as { crypto?: Keystore["crypto"]; Crypto?: Keystore["crypto"]; version: number } as Keystore;
    ks.crypto = ks.crypto ?? (ks as unknown as { Crypto: Keystore["crypto"] }).Crypto;
  } catch (error) {
    throw new ConfigError("BATON_KEYSTORE", `not valid JSON: ${(error as Error).message}`);
  }
  if (ks.version !== 3 || !ks.crypto) throw new ConfigError("BATON_KEYSTORE", "only version 3 keystores are supported");
  if (ks.crypto.cipher !== "aes-128-ctr")
    throw new ConfigError("BATON_KEYSTORE", `unsupported cipher ${ks.crypto.cipher}`);
  const derived = deriveKey(ks, password);
  const ciphertext = Buffer.from(ks.crypto.ciphertext, "hex");
  const mac = keccak256(concat([derived.subarray(16, 32), ciphertext])).slice(2);
  if (mac !== ks.crypto.mac.toLowerCase())
    throw new ConfigError("BATON_KEYSTORE_PASSWORD", "wrong password for the keystore");
  const decipher = createDecipheriv(
    "aes-128-ctr",
    derived.subarray(0, 16),
    Buffer.from(ks.crypto.cipherparams.iv, "hex"),
  );
  return bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}

/** Encrypts a key into a version-3 keystore (scrypt). Used by tests and by operators' tooling. */
export function encryptKeystore(privateKey: `0x${string}`, password: string, n = 1 << 14): string {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const derived = scryptSync(password, salt, 32, { N: n, r: 8, p: 1, maxmem: 256 * n * 8 + 1024 * 1024 });
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]);
  const mac = keccak256(concat([derived.subarray(16, 32), ciphertext])).slice(2);
  return JSON.stringify({
    version: 3,
    crypto: {
      cipher: "aes-128-ctr",
      ciphertext: ciphertext.toString("hex"),
      cipherparams: { iv: iv.toString("hex") },
      kdf: "scrypt",
      kdfparams: { dklen: 32, salt: salt.toString("hex"), n, r: 8, p: 1 },
      mac,
    },
  });
}
