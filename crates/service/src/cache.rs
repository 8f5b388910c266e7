//! A small time-bounded cache for hot reads that tolerate brief staleness (tokens, catalog
//! tracks). Entries live `ttl_ms`; when the cache is full it starts over rather than tracking
//! recency, which keeps every operation O(1).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

pub struct TtlCache<K, V> {
    map: Mutex<HashMap<K, (V, i64)>>,
    ttl_ms: i64,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl_ms: i64, capacity: usize) -> Self {
        TtlCache {
            map: Mutex::new(HashMap::new()),
            ttl_ms,
            capacity,
        }
    }

    pub fn get(&self, key: &K, now_ms: i64) -> Option<V> {
        let map = self.map.lock().unwrap();
        match map.get(key) {
            Some((v, expires)) if *expires > now_ms => Some(v.clone()),
            _ => None,
        }
    }

    pub fn insert(&self, key: K, value: V, now_ms: i64) {
        let mut map = self.map.lock().unwrap();
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key, (value, now_ms + self.ttl_ms));
    }

    pub fn clear(&self) {
        self.map.lock().unwrap().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_capacity_bounds_memory() {
        let c = TtlCache::new(100, 2);
        c.insert("a", 1, 0);
        assert_eq!(c.get(&"a", 99), Some(1));
        assert_eq!(c.get(&"a", 100), None);
        c.insert("b", 2, 0);
        c.insert("c", 3, 0);
        assert!(c.map.lock().unwrap().len() <= 2);
    }
}
