//! The library as Alexa's voice catalogs list it: each kind's entities that have something to
//! play, a page at a time, and a popularity drawn from everyone's listening history.

use medley_store::{VoiceEntry, VoiceKind};

use crate::{Medley, ServiceResult};

/// Entities read from the store at a time.
pub const PAGE: u32 = 1000;

/// Popularity from 0 to 100 for a number of plays, on a log scale that does not depend on the
/// rest of the library (an entity's popularity changes only when it is played): 1 play gives
/// 6, 10 plays 21, 1,000 plays 60, 100,000 plays or more 100.
pub fn popularity(plays: u64) -> u8 {
    (20.0 * (1.0 + plays as f64).log10()).round().min(100.0) as u8
}

/// Every entity of one kind, a page at a time, in id order.
pub struct VoicePages {
    kind: VoiceKind,
    after: Option<String>,
}

impl VoicePages {
    pub fn new(kind: VoiceKind) -> VoicePages {
        VoicePages {
            kind,
            after: Some(String::new()),
        }
    }

    /// The next page; empty once all were read.
    pub async fn next(&mut self, m: &Medley) -> ServiceResult<Vec<VoiceEntry>> {
        let Some(after) = self.after.take() else {
            return Ok(Vec::new());
        };
        let page = m.store.voice_entries(self.kind, &after, PAGE).await?;
        if page.len() == PAGE as usize {
            self.after = page.last().map(|e| e.id.clone());
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::popularity;

    #[test]
    fn popularity_grows_with_plays_and_stops_at_100() {
        assert_eq!(popularity(0), 0);
        assert_eq!(popularity(1), 6);
        assert_eq!(popularity(10), 21);
        assert_eq!(popularity(1000), 60);
        assert_eq!(popularity(100_000), 100);
        assert_eq!(popularity(u64::MAX), 100);
    }
}
