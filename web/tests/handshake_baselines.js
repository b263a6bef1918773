// The same one side of the handshake (key pair + shared secret, 256-bit exponent)
// in the two alternatives a page could use, timed in the same V8 run as our wasm
// (tests/handshake_speed.rs): plain JavaScript BigInt, and Node's OpenSSL.

const PRIME_HEX =
  "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74" +
  "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437" +
  "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed" +
  "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05" +
  "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb" +
  "9ed529077096966d670c354e4abc9804f1746c08ca237327ffffffffffffffff";
const PRIME = BigInt("0x" + PRIME_HEX);

// What a web developer writes in 20 lines: left-to-right sliding window (5 bits,
// odd powers precomputed), `%` for every reduction.
function modpow(base, exponent, modulus) {
  const width = 5;
  const square = (base * base) % modulus;
  const odd = [base % modulus];
  for (let i = 1; i < 1 << (width - 1); i++) odd.push((odd[i - 1] * square) % modulus);
  const bits = exponent.toString(2);
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      result = (result * result) % modulus;
      i++;
      continue;
    }
    let j = Math.min(i + width, bits.length);
    while (bits[j - 1] === "0") j--;
    for (let k = i; k < j; k++) result = (result * result) % modulus;
    result = (result * odd[(parseInt(bits.slice(i, j), 2) - 1) >> 1]) % modulus;
    i = j;
  }
  return result;
}

const hex384 = (value) => value.toString(16).padStart(384, "0");

function fastest(rounds, run) {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

// Times both alternatives for fresh 256-bit exponents against `peerHex`, and
// computes both for `privateHex` so the caller can check they agree with ours.
// Resolves to [bigintMs, opensslMs, bigintPublicHex, bigintSecretHex, opensslSecretHex].
export async function oneSideBaselines(peerHex, privateHex, rounds) {
  const { createDiffieHellman, randomBytes } = await import("node:crypto");
  const peer = BigInt("0x" + peerHex);
  const primeBytes = Buffer.from(PRIME_HEX, "hex");
  const peerBytes = Buffer.from(peerHex, "hex");
  const freshExponent = () => {
    const bytes = randomBytes(32);
    bytes[0] |= 0x80;
    return bytes;
  };

  const bigintSide = (exponentBytes) => {
    const exponent = BigInt("0x" + exponentBytes.toString("hex"));
    return [modpow(2n, exponent, PRIME), modpow(peer, exponent, PRIME)];
  };
  const opensslSide = (exponentBytes) => {
    const dh = createDiffieHellman(primeBytes, 2);
    dh.setPrivateKey(exponentBytes);
    dh.generateKeys();
    return dh.computeSecret(peerBytes);
  };

  const bigintMs = fastest(rounds, () => bigintSide(freshExponent()));
  const opensslMs = fastest(rounds, () => opensslSide(freshExponent()));
  const fixed = Buffer.from(privateHex, "hex");
  const [bigintPublic, bigintSecret] = bigintSide(fixed);
  const opensslSecret = opensslSide(fixed).toString("hex").padStart(384, "0");
  return [bigintMs, opensslMs, hex384(bigintPublic), hex384(bigintSecret), opensslSecret];
}
