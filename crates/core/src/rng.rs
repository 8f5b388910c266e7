//! Small deterministic generators: everything random in the queue is reproducible from a stored seed.

/// SplitMix64: a tiny, well-mixed generator, seeded from a stored u64.
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform value in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The SplitMix64 finaliser: a bijective mixing of 64 bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of a string (FNV-1a then mixed), for seeds and grouping keys.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// A keyed balanced Feistel network over `2 * half` bits: a bijection on that domain.
#[derive(Clone, Copy, Debug)]
pub struct Feistel {
    keys: [u64; 4],
    half: u32,
}

impl Feistel {
    pub fn new(key: u64, half: u32) -> Self {
        let mut g = SplitMix(key);
        Feistel {
            keys: [g.next_u64(), g.next_u64(), g.next_u64(), g.next_u64()],
            half,
        }
    }

    fn mask(&self) -> u64 {
        if self.half >= 64 {
            u64::MAX
        } else {
            (1u64 << self.half) - 1
        }
    }

    fn round(&self, r: usize, x: u64) -> u64 {
        mix(x ^ self.keys[r]) & self.mask()
    }

    /// Encrypts the pair (hi, lo), each `half` bits wide.
    pub fn encrypt(&self, mut l: u64, mut r: u64) -> (u64, u64) {
        for k in 0..4 {
            let nr = l ^ self.round(k, r);
            l = r;
            r = nr;
        }
        (l, r)
    }

    pub fn decrypt(&self, mut l: u64, mut r: u64) -> (u64, u64) {
        for k in (0..4).rev() {
            let pl = r ^ self.round(k, l);
            r = l;
            l = pl;
        }
        (l, r)
    }

    /// A permutation of `0..n` evaluated in O(1) expected time by cycle-walking.
    pub fn permute(key: u64, n: u64, x: u64, inverse: bool) -> u64 {
        debug_assert!(x < n);
        if n <= 1 {
            return x;
        }
        let bits = 64 - (n - 1).leading_zeros();
        let half = bits.div_ceil(2);
        let f = Feistel::new(key, half);
        let mask = f.mask();
        let mut y = x;
        loop {
            let (l, r) = if inverse {
                f.decrypt(y >> half, y & mask)
            } else {
                f.encrypt(y >> half, y & mask)
            };
            y = (l << half) | r;
            if y < n {
                return y;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_bijection_with_inverse() {
        for n in [1u64, 2, 3, 7, 64, 100, 1000] {
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = Feistel::permute(42, n, x, false);
                assert!(y < n);
                assert!(!seen[y as usize]);
                seen[y as usize] = true;
                assert_eq!(Feistel::permute(42, n, y, true), x);
            }
        }
    }
}
