//! Medley's pure domain: nothing here knows about HTTP, SQL or clocks.
//! Time and randomness come in as plain values so every rule is testable without a server.

pub mod audio;
pub mod catalog;
pub mod dash;
pub mod event;
pub mod ids;
pub mod metric;
pub mod mrn;
pub mod policy;
pub mod queue;
pub mod recommend;
pub mod report;
pub mod rng;
pub mod session;
pub mod streams;
pub mod text;
pub mod time;
pub mod wav;
