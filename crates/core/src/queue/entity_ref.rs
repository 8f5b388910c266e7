//! Entity reference ids: each queue entry's UUID is its slot, encrypted with the session's key.
//! The server can recognise any entry it ever showed without storing one row per entry, which
//! keeps a 100,000-track context as cheap as a 10-track album.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::rng::Feistel;

/// Where an entry lives in a session's queue. Stored compactly as text: `c<cycle>.<index>`,
/// `u<seq>` or `k<k>` (session state is rewritten on every event, so its size matters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Slot {
    /// Context entry `index` (in context order) during pass `cycle` (LOOP_ALL starts new passes).
    Context { cycle: u32, index: u32 },
    /// An entry a user added with queue next / queue last.
    User { seq: u32 },
    /// The k-th entry of the autoplay or station continuation.
    Continuation { k: u32 },
}

impl From<Slot> for String {
    fn from(s: Slot) -> String {
        match s {
            Slot::Context { cycle, index } => format!("c{cycle}.{index}"),
            Slot::User { seq } => format!("u{seq}"),
            Slot::Continuation { k } => format!("k{k}"),
        }
    }
}

impl TryFrom<String> for Slot {
    type Error = String;

    fn try_from(s: String) -> Result<Slot, String> {
        let bad = || format!("'{s}' is not a queue slot");
        let num = |t: &str| t.parse::<u32>().map_err(|_| bad());
        match s.split_at_checked(1).ok_or_else(bad)? {
            ("c", rest) => {
                let (cycle, index) = rest.split_once('.').ok_or_else(bad)?;
                Ok(Slot::Context {
                    cycle: num(cycle)?,
                    index: num(index)?,
                })
            }
            ("u", rest) => Ok(Slot::User { seq: num(rest)? }),
            ("k", rest) => Ok(Slot::Continuation { k: num(rest)? }),
            _ => Err(bad()),
        }
    }
}

const MAGIC: u64 = 0x1D_EA7E; // 21 bits
const HALF: u32 = 61;
const MASK61: u64 = (1 << 61) - 1;

impl Slot {
    fn pack(self) -> (u64, u64) {
        let (kind, a, b) = match self {
            Slot::Context { cycle, index } => (1u64, cycle, index),
            Slot::User { seq } => (2, 0, seq),
            Slot::Continuation { k } => (3, 0, k),
        };
        // hi: magic(21) kind(8) a(32); lo: b (61 bits, only 32 used)
        ((MAGIC << 40) | (kind << 32) | a as u64, b as u64)
    }

    fn unpack(hi: u64, lo: u64) -> Option<Slot> {
        if hi >> 40 != MAGIC || lo > u32::MAX as u64 {
            return None;
        }
        let a = (hi & 0xFFFF_FFFF) as u32;
        let b = lo as u32;
        match (hi >> 32) & 0xFF {
            1 => Some(Slot::Context { cycle: a, index: b }),
            2 if a == 0 => Some(Slot::User { seq: b }),
            3 if a == 0 => Some(Slot::Continuation { k: b }),
            _ => None,
        }
    }

    /// The entry's public id within the session keyed by `key`: an RFC 9562 version-8 UUID.
    pub fn to_ref(self, key: u64) -> Uuid {
        let (hi, lo) = self.pack();
        let (l, r) = Feistel::new(key, HALF).encrypt(hi, lo);
        let v: u128 = ((l as u128) << 61) | r as u128; // 122 bits
        let top48 = (v >> 74) & ((1 << 48) - 1);
        let mid12 = (v >> 62) & 0xFFF;
        let low62 = v & ((1 << 62) - 1);
        let bits = (top48 << 80) | (0x8 << 76) | (mid12 << 64) | (0b10 << 62) | low62;
        Uuid::from_u128(bits)
    }

    /// The slot an id encodes for this session key, if it is one of the session's own.
    pub fn from_ref(id: Uuid, key: u64) -> Option<Slot> {
        let bits = id.as_u128();
        if (bits >> 76) & 0xF != 0x8 || (bits >> 62) & 0b11 != 0b10 {
            return None;
        }
        let top48 = bits >> 80;
        let mid12 = (bits >> 64) & 0xFFF;
        let low62 = bits & ((1 << 62) - 1);
        let v = (top48 << 74) | (mid12 << 62) | low62;
        let (l, r) = ((v >> 61) as u64 & MASK61, v as u64 & MASK61);
        let (hi, lo) = Feistel::new(key, HALF).decrypt(l, r);
        Slot::unpack(hi, lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_ids() {
        let key = 0xDEAD_BEEF;
        for slot in [
            Slot::Context { cycle: 0, index: 0 },
            Slot::Context {
                cycle: 3,
                index: 99_999,
            },
            Slot::User { seq: 7 },
            Slot::Continuation { k: 12 },
        ] {
            let id = slot.to_ref(key);
            assert_eq!(id.get_version_num(), 8);
            assert_eq!(Slot::from_ref(id, key), Some(slot));
            assert_eq!(Slot::from_ref(id, key + 1), None);
        }
        assert_eq!(Slot::from_ref(Uuid::new_v4(), key), None);
    }

    #[test]
    fn stored_form_round_trips() {
        for slot in [
            Slot::Context {
                cycle: 2,
                index: 99_999,
            },
            Slot::User { seq: 0 },
            Slot::Continuation { k: 7 },
        ] {
            let json = serde_json::to_string(&slot).unwrap();
            assert_eq!(serde_json::from_str::<Slot>(&json).unwrap(), slot);
        }
        assert_eq!(
            serde_json::to_string(&Slot::Context { cycle: 0, index: 3 }).unwrap(),
            "\"c0.3\""
        );
        assert!(serde_json::from_str::<Slot>("\"x1\"").is_err());
        assert!(serde_json::from_str::<Slot>("\"c1\"").is_err());
    }

    #[test]
    fn ids_differ_per_entry() {
        let a = Slot::Context { cycle: 0, index: 1 }.to_ref(1);
        let b = Slot::Context { cycle: 0, index: 2 }.to_ref(1);
        let c = Slot::Context { cycle: 1, index: 1 }.to_ref(1);
        assert!(a != b && a != c && b != c);
    }
}
