//! Media infrastructure the use cases call: encodings made by ffmpeg into a cache folder,
//! fragmented MP4 read by its boxes, Common Encryption of its fragments, cover art read and
//! resized, audio files' tags scanned into a catalog, and generated tunes for the demo.

pub mod artwork;
pub mod cenc;
pub mod fmp4;
pub mod tags;
pub mod transcode;
pub mod tunes;
