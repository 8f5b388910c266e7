//! Concurrent streams per user (docs/api.md, "Events and streams"): a device streams from its start event until its
//! stop event or until the track should have ended (plus a grace period). At the user's limit a
//! start needs a take-over; every take-over bumps the user's epoch, and the whole stream state is
//! compare-and-set on its version, so two nodes never both grant the stream.

use uuid::Uuid;

use crate::event::TakeOver;
use crate::policy::Refusal;
use crate::session::{Session, Stream, UserStreams};

/// AUTO does not take over a stream that was itself taken over by AUTO this recently.
pub const AUTO_GUARD_MS: i64 = 10_000;

pub struct StartRequest<'a> {
    pub device_id: &'a str,
    pub session_id: Uuid,
    pub now_ms: i64,
    pub ends_ms: i64,
    pub max_streams: u32,
    pub take_over: Option<TakeOver>,
    /// This session lost its stream to another device since its last start.
    pub session_taken_over: bool,
    /// When set, a take-over may end only the streams this accepts (Alexa can stop its own
    /// queues, never an app's); too few of them is `MAX_CONCURRENCY_REACHED`.
    pub only: Option<&'a (dyn Fn(&Stream) -> bool + Sync)>,
}

/// The device id under which an Alexa queue streams: every queue is its own speaker session.
pub fn voice_device(queue_id: Uuid) -> String {
    format!("alexa:{queue_id}")
}

/// What a session that lost its stream looks like: stopped, and told so on its next start.
pub fn lose_stream(s: &mut Session) {
    s.body.taken_over = true;
    s.body.queue.state = crate::queue::PlaybackState::Stopped;
}

/// Grants a stream to a starting device; returns the sessions whose streams were taken over.
pub fn start(st: &mut UserStreams, r: &StartRequest) -> Result<Vec<Uuid>, Refusal> {
    st.streams.retain(|s| s.ends_ms > r.now_ms);
    // A device that lost its stream gets it back without a take-over only once nothing else
    // holds it: a 422 means a conflict exists now.
    if r.session_taken_over
        && r.take_over.is_none()
        && st.streams.len() >= r.max_streams.max(1) as usize
    {
        return Err(Refusal::MaxConcurrency);
    }
    if let Some(own) = st.streams.iter_mut().find(|s| s.device_id == r.device_id) {
        own.session_id = r.session_id;
        own.started_ms = r.now_ms;
        own.ends_ms = r.ends_ms;
        return Ok(Vec::new());
    }
    let max = r.max_streams.max(1) as usize;
    let mut evicted = Vec::new();
    let mut auto_at = None;
    if st.streams.len() >= max {
        let Some(how) = r.take_over else {
            return Err(Refusal::MaxConcurrency);
        };
        // Oldest first; with `only`, the streams it accepts go first.
        let accepted = |s: &Stream| r.only.is_none_or(|f| f(s));
        st.streams.sort_by_key(|s| (!accepted(s), s.started_ms));
        let victims = st.streams.len() + 1 - max;
        if !st.streams[..victims].iter().all(accepted) {
            return Err(Refusal::MaxConcurrency);
        }
        if how == TakeOver::Auto {
            let guarded = st.streams[..victims].iter().any(|s| {
                s.auto_takeover_ms
                    .is_some_and(|t| r.now_ms - t < AUTO_GUARD_MS)
            });
            if guarded {
                return Err(Refusal::TakeOverFailed);
            }
            auto_at = Some(r.now_ms);
        }
        evicted = st.streams.drain(..victims).map(|s| s.session_id).collect();
        st.epoch += 1;
    }
    st.streams.push(Stream {
        device_id: r.device_id.to_string(),
        session_id: r.session_id,
        started_ms: r.now_ms,
        ends_ms: r.ends_ms,
        auto_takeover_ms: auto_at,
        epoch: st.epoch,
    });
    Ok(evicted)
}

/// A stop ends the device's stream (if it still holds one for this session).
pub fn stop(st: &mut UserStreams, device_id: &str, session_id: Uuid) {
    st.streams
        .retain(|s| !(s.device_id == device_id && s.session_id == session_id));
}

/// Where the live stream of a session that started at `offset_ms` is at `now_ms`: the time
/// played since its start, at normal speed, never past the track's end (its stream's end less the
/// grace period). `None` when nothing streams the session.
pub fn position(
    st: &UserStreams,
    session_id: Uuid,
    offset_ms: i64,
    now_ms: i64,
    grace_ms: i64,
) -> Option<i64> {
    let s = st
        .streams
        .iter()
        .find(|s| s.session_id == session_id && s.ends_ms > now_ms)?;
    Some(offset_ms + (now_ms.min(s.ends_ms - grace_ms) - s.started_ms).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(device: &'a str, now: i64, take_over: Option<TakeOver>) -> StartRequest<'a> {
        StartRequest {
            device_id: device,
            session_id: Uuid::from_u128(device.len() as u128),
            now_ms: now,
            ends_ms: now + 300_000,
            max_streams: 1,
            take_over,
            session_taken_over: false,
            only: None,
        }
    }

    #[test]
    fn a_live_stream_is_where_its_time_has_taken_it_and_never_past_the_end() {
        let mut st = UserStreams::default();
        let r = req("a", 1_000, None); // the track ends at 301,000 (its stream 300 s after)
        start(&mut st, &r).unwrap();
        let at = |now| position(&st, r.session_id, 20_000, now, 30_000);
        assert_eq!(at(1_000), Some(20_000));
        assert_eq!(at(6_000), Some(25_000));
        assert_eq!(
            at(280_000),
            Some(20_000 + 270_000),
            "capped at the track's end"
        );
        assert_eq!(at(302_000), None, "the stream is over");
        assert_eq!(position(&st, Uuid::from_u128(99), 0, 6_000, 0), None);
    }

    #[test]
    fn second_device_needs_a_take_over() {
        let mut st = UserStreams::default();
        assert!(start(&mut st, &req("a", 0, None)).unwrap().is_empty());
        assert!(matches!(
            start(&mut st, &req("bb", 1, None)),
            Err(Refusal::MaxConcurrency)
        ));
        let evicted = start(&mut st, &req("bb", 2, Some(TakeOver::Force))).unwrap();
        assert_eq!(evicted, vec![Uuid::from_u128(1)]);
        assert_eq!(st.epoch, 1);
        assert_eq!(st.streams.len(), 1);
    }

    #[test]
    fn auto_does_not_ping_pong_within_ten_seconds() {
        let mut st = UserStreams::default();
        start(&mut st, &req("a", 0, None)).unwrap();
        start(&mut st, &req("bb", 1_000, Some(TakeOver::Auto))).unwrap();
        assert!(matches!(
            start(&mut st, &req("a", 2_000, Some(TakeOver::Auto))),
            Err(Refusal::TakeOverFailed)
        ));
        assert!(start(&mut st, &req("a", 2_000, Some(TakeOver::Force))).is_ok());
        assert!(start(&mut st, &req("bb", 20_000, Some(TakeOver::Auto))).is_ok());
    }

    #[test]
    fn streams_expire_and_stop() {
        let mut st = UserStreams::default();
        start(&mut st, &req("a", 0, None)).unwrap();
        assert!(
            start(&mut st, &req("bb", 400_000, None)).is_ok(),
            "a's track ended long ago"
        );
        stop(&mut st, "bb", Uuid::from_u128(2));
        assert!(start(&mut st, &req("a", 400_001, None)).is_ok());
    }

    #[test]
    fn a_limited_take_over_ends_only_what_it_may() {
        let mut st = UserStreams::default();
        start(&mut st, &req("phone", 0, None)).unwrap();
        let voice_only = |s: &Stream| s.device_id.starts_with("alexa:");
        let speaker = voice_device(Uuid::from_u128(7));
        let mut r = req(&speaker, 1, Some(TakeOver::Force));
        r.only = Some(&voice_only);
        assert!(
            matches!(start(&mut st, &r), Err(Refusal::MaxConcurrency)),
            "a speaker cannot stop the phone"
        );
        stop(&mut st, "phone", Uuid::from_u128(5));
        assert!(start(&mut st, &r).unwrap().is_empty());
        let other = voice_device(Uuid::from_u128(8));
        let mut r = req(&other, 2, Some(TakeOver::Force));
        r.only = Some(&voice_only);
        assert_eq!(
            start(&mut st, &r).unwrap(),
            vec![Uuid::from_u128(speaker.len() as u128)],
            "another speaker's queue is deactivated"
        );
    }
}
